// Puts the auth checks in front of the gRPC services, by method path (etcd's auth applier and
// authMaintenanceServer): key permissions for KV, lease key permissions for LeaseRevoke and
// LeaseTimeToLive, the root role for defragment/hash/snapshot and membership changes. The check
// runs before the handler, so a refused request is never proposed.
import { status as Status } from '@grpc/grpc-js';
import { EtcdError, type etcdserverpb } from '../../api';
import { guardMethods, type GrpcService } from '../service-guard';
import type { AuthGate, CallCredentials } from './gate';

type Check = (gate: AuthGate, call: CallCredentials & { request: never }, leaseKeys: (id: bigint) => Uint8Array[]) => void;

const admin: Check = (gate, call) => gate.checkAdmin(call);

/** etcd 3.4's maintenance server hands the auth package's own error to gRPC untranslated: UNKNOWN, "auth: ...". */
const maintenanceAdmin: Check = (gate, call) => {
  try {
    gate.checkAdmin(call);
  } catch (err) {
    if (err instanceof EtcdError) throw new EtcdError(Status.UNKNOWN, err.message.replace(/^etcdserver: /, 'auth: '));
    throw err;
  }
};

const checks: Record<string, Check> = {
  '/etcdserverpb.KV/Range': (gate, call) => {
    const r = call.request as etcdserverpb.RangeRequest;
    gate.checkRange(call, r.key, r.rangeEnd);
  },
  '/etcdserverpb.KV/Put': (gate, call, leaseKeys) => {
    const r = call.request as etcdserverpb.PutRequest;
    gate.checkPut(call, r);
    // a user may not attach a key to a lease whose other keys it could not write (it could not revoke it)
    if (r.lease !== 0n) gate.checkLeaseKeys(call, 'write', leaseKeys(r.lease));
  },
  '/etcdserverpb.KV/DeleteRange': (gate, call) => gate.checkDeleteRange(call, call.request as etcdserverpb.DeleteRangeRequest),
  '/etcdserverpb.KV/Txn': (gate, call) => gate.checkTxn(call, call.request as etcdserverpb.TxnRequest),
  '/etcdserverpb.Lease/LeaseRevoke': (gate, call, leaseKeys) => {
    gate.checkLeaseKeys(call, 'write', leaseKeys((call.request as etcdserverpb.LeaseRevokeRequest).ID));
  },
  '/etcdserverpb.Lease/LeaseTimeToLive': (gate, call, leaseKeys) => {
    gate.checkLeaseKeys(call, 'read', leaseKeys((call.request as etcdserverpb.LeaseTimeToLiveRequest).ID));
  },
  '/etcdserverpb.Maintenance/Defragment': maintenanceAdmin,
  '/etcdserverpb.Maintenance/Hash': maintenanceAdmin,
  '/etcdserverpb.Maintenance/HashKV': maintenanceAdmin,
  '/etcdserverpb.Maintenance/Snapshot': maintenanceAdmin,
  '/etcdserverpb.Cluster/MemberAdd': admin,
  '/etcdserverpb.Cluster/MemberRemove': admin,
  '/etcdserverpb.Cluster/MemberUpdate': admin,
  '/etcdserverpb.Cluster/MemberPromote': admin,
};

export interface GuardOptions {
  leaseKeys(id: bigint): Uint8Array[];
}

/** Returns the services with every guarded method checking its caller first. */
export function guardServices(services: GrpcService[], gate: AuthGate, options: GuardOptions): GrpcService[] {
  return guardMethods(services, (method) => {
    const check = checks[method.path];
    return check === undefined ? undefined : (call) => check(gate, call as CallCredentials & { request: never }, options.leaseKeys);
  });
}
