// Apply: one deterministic function of a committed request and the store. It reads nothing but its
// arguments (no clock, no randomness, no config beyond what the lessor was built with), so every
// member that applies the same entries reaches the same state.
import { etcdserverpb } from '../api';
import type { InternalRaftRequest } from './internal-request';
import type * as mvcc from '../mvcc';
import type { AlarmStore } from './alarms';
import { putToStore, deleteToStore, txnToStore } from './convert';
import { ServerError } from './errors';
import type { Lessor } from './lessor';
import { AuthApplied, AuthApplyState, applyAuthRequest, authorizeEntry, isAuthRequest } from './auth/apply-auth';

const { AlarmType, AlarmRequest_AlarmAction: AlarmAction } = etcdserverpb;

/** What applying one request produced; the member that proposed it turns this into the response. */
export type ApplyValue =
  | { kind: 'put'; put: mvcc.PutResponse }
  | { kind: 'deleteRange'; deleteRange: mvcc.DeleteRangeResponse }
  | { kind: 'txn'; txn: mvcc.TxnResponse }
  | { kind: 'compaction'; revision: number; physical: Promise<void> }
  | { kind: 'leaseGrant'; id: bigint; ttl: number; revision: number }
  | { kind: 'leaseRevoke'; revision: number }
  | { kind: 'leaseCheckpoint'; revision: number }
  | { kind: 'alarm'; alarms: etcdserverpb.AlarmMember[]; revision: number }
  | { kind: 'auth'; auth: AuthApplied; revision: number };

export interface ApplyState {
  lessor: Lessor;
  alarms: AlarmStore;
  /** users, roles and tokens; without it auth requests are refused as not capable */
  auth?: AuthApplyState;
}

export function isTxnReadOnly(txn: etcdserverpb.TxnRequest): boolean {
  const readOnly = (ops: etcdserverpb.RequestOp[]) =>
    ops.every((op) => op.requestPut === undefined && op.requestDeleteRange === undefined && (op.requestTxn === undefined || isTxnReadOnly(op.requestTxn)));
  return readOnly(txn.success) && readOnly(txn.failure);
}

/** While NOSPACE is raised, only requests that free space or read may apply (etcd's capped applier). */
function checkCapped(req: InternalRaftRequest, alarms: AlarmStore): void {
  if (alarms.has(AlarmType.CORRUPT) && req.alarm === undefined) throw new ServerError('corrupt');
  if (!alarms.has(AlarmType.NOSPACE)) return;
  if (req.put !== undefined || req.leaseGrant !== undefined || (req.txn !== undefined && !isTxnReadOnly(req.txn))) {
    throw new ServerError('no-space');
  }
}

function applyAlarm(writer: mvcc.BatchWriter, r: etcdserverpb.AlarmRequest, alarms: AlarmStore): etcdserverpb.AlarmMember[] {
  const target = { memberID: r.memberID, alarm: r.alarm };
  switch (r.action) {
    case AlarmAction.GET:
      return alarms.get(r.alarm);
    case AlarmAction.ACTIVATE: {
      if (r.alarm === AlarmType.NONE) return [];
      const raised = alarms.unsafeActivate(writer, target);
      return raised === undefined ? [] : [raised];
    }
    case AlarmAction.DEACTIVATE: {
      const cleared = alarms.unsafeDeactivate(writer, target);
      return cleared === undefined ? [] : [cleared];
    }
    default:
      return [];
  }
}

/** Applies one request inside the batch's write transaction. @throws ServerError / MvccError: the request's answer is that error */
export function applyRequest(writer: mvcc.BatchWriter, req: InternalRaftRequest, state: ApplyState): ApplyValue {
  if (state.auth !== undefined) authorizeEntry(req, state.auth.store, (id) => state.lessor.keys(id));
  checkCapped(req, state.alarms);
  if (req.put !== undefined) return { kind: 'put', put: writer.put(putToStore(req.put)) };
  if (req.deleteRange !== undefined) return { kind: 'deleteRange', deleteRange: writer.deleteRange(deleteToStore(req.deleteRange)) };
  if (req.txn !== undefined) return { kind: 'txn', txn: writer.txn(txnToStore(req.txn)) };
  if (req.compaction !== undefined) {
    const done = writer.compact(Number(req.compaction.revision));
    return { kind: 'compaction', revision: done.revision, physical: done.physical };
  }
  if (req.leaseGrant !== undefined) {
    const ttl = state.lessor.unsafeGrant(writer, req.leaseGrant.ID, Number(req.leaseGrant.TTL));
    return { kind: 'leaseGrant', id: req.leaseGrant.ID, ttl, revision: writer.revision };
  }
  if (req.leaseRevoke !== undefined) {
    state.lessor.unsafeRevoke(writer, req.leaseRevoke.ID);
    return { kind: 'leaseRevoke', revision: writer.revision };
  }
  if (req.leaseCheckpoint !== undefined) {
    for (const cp of req.leaseCheckpoint.checkpoints) {
      state.lessor.unsafeCheckpoint(writer, cp.ID, Number(cp.remainingTTL));
    }
    return { kind: 'leaseCheckpoint', revision: writer.revision };
  }
  if (req.alarm !== undefined) return { kind: 'alarm', alarms: applyAlarm(writer, req.alarm, state.alarms), revision: writer.revision };
  if (state.auth !== undefined && isAuthRequest(req)) {
    return { kind: 'auth', auth: applyAuthRequest(writer.backend, req, state.auth), revision: writer.revision };
  }
  throw new ServerError('not-capable');
}
