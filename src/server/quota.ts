// The backend quota: a write that would take the database past --quota-backend-bytes is refused and
// raises the NOSPACE alarm (etcd's backendQuota and its cost estimates).
import type { etcdserverpb } from '../api';

/** etcd's estimate of what storing one key's metadata costs. */
const kvOverhead = 256;
/** etcd's estimate of what storing one lease costs. */
const leaseOverhead = 64;

function putCost(r: etcdserverpb.PutRequest): number {
  return kvOverhead + r.key.length + r.value.length;
}

function opsCost(ops: etcdserverpb.RequestOp[]): number {
  let cost = 0;
  for (const op of ops) {
    if (op.requestPut !== undefined) cost += putCost(op.requestPut);
    else if (op.requestTxn !== undefined) cost += txnCost(op.requestTxn);
  }
  return cost;
}

function txnCost(r: etcdserverpb.TxnRequest): number {
  return Math.max(opsCost(r.success), opsCost(r.failure));
}

/** Bytes a write request is expected to add; requests that only read or delete cost nothing. */
export function requestCost(req: { put?: etcdserverpb.PutRequest; txn?: etcdserverpb.TxnRequest; leaseGrant?: etcdserverpb.LeaseGrantRequest }): number {
  if (req.put !== undefined) return putCost(req.put);
  if (req.txn !== undefined) return txnCost(req.txn);
  if (req.leaseGrant !== undefined) return leaseOverhead;
  return 0;
}

/** True when the request fits under the quota given the database's current size. */
export function quotaAvailable(dbSize: number, cost: number, quotaBytes: number): boolean {
  return dbSize + cost < quotaBytes;
}
