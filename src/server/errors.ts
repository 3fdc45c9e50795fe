// The server's internal errors, and the one map that turns any internal error into the wire error
// (gRPC code + etcd's exact text) a client gets (etcd: toGRPCErrorMap in v3rpc/util.go).
import { status as Status } from '@grpc/grpc-js';
import { EtcdError, WireErrorName, etcdError } from '../api';
import { MvccError } from '../mvcc';

export type ServerErrorCode =
  | 'empty-key'
  | 'value-provided'
  | 'lease-provided'
  | 'too-many-ops'
  | 'duplicate-key'
  | 'request-too-large'
  | 'no-space'
  | 'lease-not-found'
  | 'lease-exists'
  | 'lease-ttl-too-large'
  | 'stopped'
  | 'timeout'
  | 'deadline-exceeded'
  | 'no-leader'
  | 'leader-changed'
  | 'auth-not-enabled'
  | 'member-not-found'
  | 'not-capable'
  | 'corrupt';

const messages: Record<ServerErrorCode, string> = {
  'empty-key': 'etcdserver: key is not provided',
  'value-provided': 'etcdserver: value is provided',
  'lease-provided': 'etcdserver: lease is provided',
  'too-many-ops': 'etcdserver: too many operations in txn request',
  'duplicate-key': 'etcdserver: duplicate key given in txn request',
  'request-too-large': 'etcdserver: request is too large',
  'no-space': 'mvcc: database space exceeded',
  'lease-not-found': 'lease not found',
  'lease-exists': 'lease already exists',
  'lease-ttl-too-large': 'too large lease TTL',
  stopped: 'etcdserver: server stopped',
  timeout: 'etcdserver: request timed out',
  // What etcd answers when a proposal waited its whole request timeout for a leader.
  'deadline-exceeded': 'context deadline exceeded',
  'no-leader': 'etcdserver: no leader',
  'leader-changed': 'etcdserver: leader changed',
  'auth-not-enabled': 'auth: authentication is not enabled',
  'member-not-found': 'membership: member not found',
  'not-capable': 'etcdserver: not capable',
  corrupt: 'etcdserver: corrupt cluster',
};

export class ServerError extends Error {
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode) {
    super(messages[code]);
    this.name = 'ServerError';
    this.code = code;
  }
}

const serverToWire: Record<ServerErrorCode, WireErrorName> = {
  'empty-key': 'emptyKey',
  'value-provided': 'valueProvided',
  'lease-provided': 'leaseProvided',
  'too-many-ops': 'tooManyOps',
  'duplicate-key': 'duplicateKey',
  'request-too-large': 'requestTooLarge',
  'no-space': 'noSpace',
  'lease-not-found': 'leaseNotFound',
  'lease-exists': 'leaseExist',
  'lease-ttl-too-large': 'leaseTTLTooLarge',
  stopped: 'stopped',
  timeout: 'timeout',
  'deadline-exceeded': 'deadlineExceeded',
  'no-leader': 'noLeader',
  'leader-changed': 'leaderChanged',
  'auth-not-enabled': 'authNotEnabled',
  'member-not-found': 'memberNotFound',
  'not-capable': 'notCapable',
  corrupt: 'corrupt',
};

const mvccToWire: Partial<Record<MvccError['code'], WireErrorName>> = {
  compacted: 'compacted',
  'future-rev': 'futureRev',
  'key-not-found': 'keyNotFound',
  'lease-not-found': 'leaseNotFound',
  'duplicate-key': 'duplicateKey',
  closed: 'stopped',
};

/** The wire error for any error the core raises; anything unexpected is UNKNOWN with its text, as etcd does. */
export function toWireError(err: unknown): EtcdError {
  if (err instanceof EtcdError) return err;
  if (err instanceof ServerError) return etcdError(serverToWire[err.code]);
  if (err instanceof MvccError) {
    const name = mvccToWire[err.code];
    if (name !== undefined) return etcdError(name);
    return new EtcdError(Status.UNKNOWN, err.message);
  }
  return new EtcdError(Status.UNKNOWN, err instanceof Error ? err.message : String(err));
}
