// TLS material for the client side, as etcdctl's --cacert/--cert/--key/--insecure-skip-tls-verify.
import { readFileSync } from 'node:fs';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';

export interface ClientTls {
  /** PEM of the CA that signed the server's certificate; the system roots when absent. */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Accept any server certificate (etcdctl's --insecure-skip-tls-verify). */
  readonly insecureSkipVerify?: boolean;
  /** Use TLS even with no files given (system roots), as etcdctl's --insecure-transport=false. */
  readonly enabled?: boolean;
}

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

export function hasTlsMaterial(tls: ClientTls | undefined): boolean {
  return !!tls && !!(tls.enabled || tls.caFile || tls.certFile || tls.keyFile || tls.insecureSkipVerify);
}

export function channelCredentials(secure: boolean, tls: ClientTls | undefined): ChannelCredentials {
  if (!secure) return credentials.createInsecure();
  if ((tls?.certFile && !tls.keyFile) || (!tls?.certFile && tls?.keyFile)) {
    throw new CredentialsError('client: --cert and --key must be given together');
  }
  const ca = tls?.caFile ? readPem(tls.caFile, 'CA certificate') : null;
  const cert = tls?.certFile ? readPem(tls.certFile, 'client certificate') : null;
  const key = tls?.keyFile ? readPem(tls.keyFile, 'client key') : null;
  if (tls?.insecureSkipVerify) {
    return credentials.createSsl(ca, key, cert, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
  }
  return credentials.createSsl(ca, key, cert);
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CredentialsError(`client: cannot read ${what} ${path}: ${reason}`);
  }
}
