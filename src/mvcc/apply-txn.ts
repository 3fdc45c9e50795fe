// A Txn request (etcd: etcdserver/txn/txn.go): evaluate the compares of every level first (the
// txn path: which branch each nested txn takes), check every op on that path, then run the ops
// of the chosen branches in order as one revision.

import { applyDeleteRange, applyPut, applyRange, checkPut } from './apply';
import type { TxnReader } from './apply';
import { MvccError } from './errors';
import type { Compare, KeyValue, LeaseHooks, RequestOp, ResponseOp, TxnRequest, TxnResponse } from './kv';
import { CompareResult, CompareTarget } from './kv';
import type { TxnWrite } from './kvstore-txn';
import { toIndexRange } from './tree-index';

const EMPTY = Buffer.alloc(0);
const ZERO_KV: KeyValue = { key: EMPTY, value: EMPTY, createRevision: 0, modRevision: 0, version: 0, lease: 0n };

function sign(n: number | bigint): number {
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

function compareKeyValue(c: Compare, kv: KeyValue): boolean {
  let result: number;
  switch (c.target) {
    case CompareTarget.VALUE:
      result = Buffer.compare(kv.value, c.value ?? EMPTY);
      break;
    case CompareTarget.CREATE:
      result = sign(kv.createRevision - (c.createRevision ?? 0));
      break;
    case CompareTarget.MOD:
      result = sign(kv.modRevision - (c.modRevision ?? 0));
      break;
    case CompareTarget.VERSION:
      result = sign(kv.version - (c.version ?? 0));
      break;
    case CompareTarget.LEASE:
      result = sign(kv.lease - (c.lease ?? 0n));
      break;
    default:
      return true;
  }
  switch (c.result) {
    case CompareResult.EQUAL:
      return result === 0;
    case CompareResult.NOT_EQUAL:
      return result !== 0;
    case CompareResult.GREATER:
      return result > 0;
    case CompareResult.LESS:
      return result < 0;
    default:
      return true;
  }
}

/** One compare: every key in its range must satisfy it; no key compares a zero kv, but never for VALUE. */
export function applyCompare(t: TxnReader, c: Compare): boolean {
  let kvs: KeyValue[];
  try {
    kvs = t.range(toIndexRange(c.key, c.rangeEnd)).kvs;
  } catch {
    return false;
  }
  if (kvs.length === 0) return c.target === CompareTarget.VALUE ? false : compareKeyValue(c, ZERO_KV);
  return kvs.every((kv) => compareKeyValue(c, kv));
}

/** The branch taken at each txn level, in depth-first order of the chosen ops. */
function txnPath(t: TxnReader, req: TxnRequest): boolean[] {
  const ok = req.compare.every((c) => applyCompare(t, c));
  const path = [ok];
  for (const op of ok ? req.success : req.failure) {
    if (op.txn !== undefined) path.push(...txnPath(t, op.txn));
  }
  return path;
}

/** Walks the ops on the path; returns how many path entries (nested txns) were consumed. */
function walkPath(req: TxnRequest, path: boolean[], at: number, visit: (op: RequestOp, at: number) => number): number {
  let used = 1;
  for (const op of path[at] ? req.success : req.failure) {
    used += visit(op, at + used);
  }
  return used;
}

function checkOps(t: TxnReader, req: TxnRequest, path: boolean[], at: number, lease: LeaseHooks | undefined, currentRevision: number, compactRevision: number): number {
  return walkPath(req, path, at, (op, next) => {
    if (op.txn !== undefined) return checkOps(t, op.txn, path, next, lease, currentRevision, compactRevision);
    if (op.put !== undefined) checkPut(t, op.put, lease);
    if (op.range !== undefined) {
      const rev = op.range.revision ?? 0;
      if (rev > currentRevision) throw new MvccError('future-rev');
      if (rev > 0 && rev < compactRevision) throw new MvccError('compacted', { compactRevision });
    }
    return 0;
  });
}

function runOps(t: TxnWrite, req: TxnRequest, path: boolean[], at: number, lease: LeaseHooks | undefined, out: ResponseOp[]): number {
  return walkPath(req, path, at, (op, next) => {
    if (op.range !== undefined) out.push({ range: applyRange(t, op.range) });
    else if (op.put !== undefined) out.push({ put: applyPut(t, op.put, lease) });
    else if (op.deleteRange !== undefined) out.push({ deleteRange: applyDeleteRange(t, op.deleteRange) });
    else if (op.txn !== undefined) {
      const responses: ResponseOp[] = [];
      const used = runOps(t, op.txn, path, next, lease, responses);
      out.push({ txn: { revision: 0, succeeded: path[next], responses } });
      return used;
    } else out.push({});
    return 0;
  });
}

/**
 * Runs a txn as one write request. Errors (key-not-found, lease-not-found, compacted,
 * future-rev) are thrown before anything changes.
 */
export function applyTxn(
  t: TxnWrite,
  req: TxnRequest,
  opts: { lease: LeaseHooks | undefined; compactRevision: number },
): TxnResponse {
  const path = txnPath(t, req);
  checkOps(t, req, path, 0, opts.lease, t.rev, opts.compactRevision);
  const responses: ResponseOp[] = [];
  runOps(t, req, path, 0, opts.lease, responses);
  // nested txn responses keep revision 0: etcd fills only the outermost header
  return { revision: t.rev, succeeded: path[0], responses };
}
