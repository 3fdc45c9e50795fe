// The wire error vocabulary: every error a client can get from cairn, with etcd's gRPC status code
// and etcd's exact text. Clients (etcdctl, clientv3, the npm etcd3 client) match on this text, so it
// must stay byte for byte etcd's. The server converts internal errors to these in one map; the client
// decodes received errors back to these entries.
import { status as Status } from '@grpc/grpc-js';

/** A gRPC status error carrying etcd's code and message; grpc-js sends `code` and `details` as they are. */
export class EtcdError extends Error {
  readonly code: Status;
  readonly details: string;

  constructor(code: Status, message: string) {
    super(message);
    this.name = 'EtcdError';
    this.code = code;
    this.details = message;
  }
}

export interface WireError {
  readonly code: Status;
  readonly message: string;
}

function wire(code: Status, message: string): WireError {
  return { code, message };
}

export const wireErrors = {
  emptyKey: wire(Status.INVALID_ARGUMENT, 'etcdserver: key is not provided'),
  keyNotFound: wire(Status.INVALID_ARGUMENT, 'etcdserver: key not found'),
  valueProvided: wire(Status.INVALID_ARGUMENT, 'etcdserver: value is provided'),
  leaseProvided: wire(Status.INVALID_ARGUMENT, 'etcdserver: lease is provided'),
  tooManyOps: wire(Status.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request'),
  duplicateKey: wire(Status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request'),
  compacted: wire(Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'),
  futureRev: wire(Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'),
  noSpace: wire(Status.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded'),
  leaseNotFound: wire(Status.NOT_FOUND, 'etcdserver: requested lease not found'),
  leaseExist: wire(Status.FAILED_PRECONDITION, 'etcdserver: lease already exists'),
  leaseTTLTooLarge: wire(Status.OUT_OF_RANGE, 'etcdserver: too large lease TTL'),
  watchCanceled: wire(Status.CANCELLED, 'etcdserver: watch canceled'),
  memberExist: wire(Status.FAILED_PRECONDITION, 'etcdserver: member ID already exist'),
  peerURLExist: wire(Status.FAILED_PRECONDITION, 'etcdserver: Peer URLs already exists'),
  memberNotEnoughStarted: wire(Status.FAILED_PRECONDITION, 'etcdserver: re-configuration failed due to not enough started members'),
  memberBadURLs: wire(Status.INVALID_ARGUMENT, 'etcdserver: given member URLs are invalid'),
  memberNotFound: wire(Status.NOT_FOUND, 'etcdserver: member not found'),
  memberNotLearner: wire(Status.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member'),
  learnerNotReady: wire(Status.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member which is in sync with leader'),
  tooManyLearners: wire(Status.FAILED_PRECONDITION, 'etcdserver: too many learner members in cluster'),
  requestTooLarge: wire(Status.INVALID_ARGUMENT, 'etcdserver: request is too large'),
  requestTooManyRequests: wire(Status.RESOURCE_EXHAUSTED, 'etcdserver: too many requests'),
  rootUserNotExist: wire(Status.FAILED_PRECONDITION, 'etcdserver: root user does not exist'),
  rootRoleNotExist: wire(Status.FAILED_PRECONDITION, 'etcdserver: root user does not have root role'),
  userAlreadyExist: wire(Status.FAILED_PRECONDITION, 'etcdserver: user name already exists'),
  userEmpty: wire(Status.INVALID_ARGUMENT, 'etcdserver: user name is empty'),
  userNotFound: wire(Status.FAILED_PRECONDITION, 'etcdserver: user name not found'),
  roleAlreadyExist: wire(Status.FAILED_PRECONDITION, 'etcdserver: role name already exists'),
  roleNotFound: wire(Status.FAILED_PRECONDITION, 'etcdserver: role name not found'),
  roleEmpty: wire(Status.INVALID_ARGUMENT, 'etcdserver: role name is empty'),
  authFailed: wire(Status.INVALID_ARGUMENT, 'etcdserver: authentication failed, invalid user ID or password'),
  permissionNotGiven: wire(Status.INVALID_ARGUMENT, 'etcdserver: permission not given'),
  permissionDenied: wire(Status.PERMISSION_DENIED, 'etcdserver: permission denied'),
  roleNotGranted: wire(Status.FAILED_PRECONDITION, 'etcdserver: role is not granted to the user'),
  permissionNotGranted: wire(Status.FAILED_PRECONDITION, 'etcdserver: permission is not granted to the role'),
  authNotEnabled: wire(Status.FAILED_PRECONDITION, 'etcdserver: authentication is not enabled'),
  invalidAuthToken: wire(Status.UNAUTHENTICATED, 'etcdserver: invalid auth token'),
  invalidAuthMgmt: wire(Status.INVALID_ARGUMENT, 'etcdserver: invalid auth management'),
  authOldRevision: wire(Status.INVALID_ARGUMENT, 'etcdserver: revision of auth store is old'),
  noLeader: wire(Status.UNAVAILABLE, 'etcdserver: no leader'),
  notLeader: wire(Status.FAILED_PRECONDITION, 'etcdserver: not leader'),
  leaderChanged: wire(Status.UNAVAILABLE, 'etcdserver: leader changed'),
  notCapable: wire(Status.UNAVAILABLE, 'etcdserver: not capable'),
  stopped: wire(Status.UNAVAILABLE, 'etcdserver: server stopped'),
  timeout: wire(Status.UNAVAILABLE, 'etcdserver: request timed out'),
  // Not one of etcd's own errors: a Go context error that etcd passes through as UNKNOWN.
  deadlineExceeded: wire(Status.UNKNOWN, 'context deadline exceeded'),
  timeoutDueToLeaderFail: wire(Status.UNAVAILABLE, 'etcdserver: request timed out, possibly due to previous leader failure'),
  timeoutDueToConnectionLost: wire(Status.UNAVAILABLE, 'etcdserver: request timed out, possibly due to connection lost'),
  timeoutWaitAppliedIndex: wire(Status.UNAVAILABLE, 'etcdserver: request timed out, waiting for the applied index took too long'),
  unhealthy: wire(Status.UNAVAILABLE, 'etcdserver: unhealthy cluster'),
  corrupt: wire(Status.DATA_LOSS, 'etcdserver: corrupt cluster'),
  notSupportedForLearner: wire(Status.UNAVAILABLE, 'etcdserver: rpc not supported for learner'),
  badLeaderTransferee: wire(Status.FAILED_PRECONDITION, 'etcdserver: bad leader transferee'),} as const;

export type WireErrorName = keyof typeof wireErrors;

/** Builds the error to throw (or pass to a gRPC callback) for a wire error. */
export function etcdError(name: WireErrorName): EtcdError {
  const entry = wireErrors[name];
  return new EtcdError(entry.code, entry.message);
}

const byMessage = new Map<string, WireErrorName>(
  (Object.keys(wireErrors) as WireErrorName[]).map((name) => [wireErrors[name].message, name]),
);

/** The wire error a received message text stands for, if it is one of etcd's. */
export function wireErrorNamed(message: string): WireErrorName | undefined {
  return byMessage.get(message);
}
