// Turns what grpc-js reports into etcd's errors: a known etcd message becomes the EtcdError of the
// wire vocabulary; anything else keeps its gRPC code and text.
import { status as Status } from '@grpc/grpc-js';
import { EtcdError, wireErrorNamed, wireErrors } from '../api';

export function decodeError(err: unknown): EtcdError {
  if (err instanceof EtcdError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: Status }).code : Status.UNKNOWN;
  const details = (err as { details?: unknown })?.details;
  const text = typeof details === 'string' && details !== '' ? details : err instanceof Error ? err.message : String(err);
  const name = wireErrorNamed(text);
  if (name) return new EtcdError(wireErrors[name].code, wireErrors[name].message);
  return new EtcdError(code, text);
}

/**
 * Whether the request surely never reached a server (no connection), so that even a write can be
 * sent again to another endpoint without the risk of applying it twice.
 */
export function neverSent(err: EtcdError): boolean {
  return err.code === Status.UNAVAILABLE && !err.message.startsWith('etcdserver:') &&
    /No connection established|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|connect|Connection dropped|handshake/i.test(err.message);
}

/** Whether a read can be retried on another endpoint after this error. */
export function retryableRead(err: EtcdError): boolean {
  return err.code === Status.UNAVAILABLE;
}
