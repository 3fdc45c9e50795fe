// One request's effect on the store, with etcd's request-level rules (etcd: etcdserver/txn
// range.go, put.go, delete.go): the limit/sort/filter handling of Range, prevKv and
// ignoreValue/ignoreLease of Put, prevKv of DeleteRange.

import { MvccError } from './errors';
import type {
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  LeaseHooks,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
} from './kv';
import { SortOrder, SortTarget } from './kv';
import type { RangeKeysOptions, RangeKeysResult, TxnWrite } from './kvstore-txn';
import type { IndexRange } from './tree-index';
import { toIndexRange } from './tree-index';

/** Whatever can serve a raw range: the committed store or a write txn in progress. */
export interface TxnReader {
  range(range: IndexRange, opts?: RangeKeysOptions): RangeKeysResult;
}

const EMPTY = Buffer.alloc(0);

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const SORT_KEYS: Record<SortTarget, (a: KeyValue, b: KeyValue) => number> = {
  [SortTarget.KEY]: (a, b) => Buffer.compare(a.key, b.key),
  [SortTarget.VERSION]: (a, b) => compareNumbers(a.version, b.version),
  [SortTarget.CREATE]: (a, b) => compareNumbers(a.createRevision, b.createRevision),
  [SortTarget.MOD]: (a, b) => compareNumbers(a.modRevision, b.modRevision),
  [SortTarget.VALUE]: (a, b) => Buffer.compare(a.value, b.value),
};

export function applyRange(t: TxnReader, req: RangeRequest): RangeResponse {
  const sortOrder = req.sortOrder ?? SortOrder.NONE;
  const sortTarget = req.sortTarget ?? SortTarget.KEY;
  const reqLimit = req.limit ?? 0;
  const filtered =
    (req.minModRevision ?? 0) !== 0 ||
    (req.maxModRevision ?? 0) !== 0 ||
    (req.minCreateRevision ?? 0) !== 0 ||
    (req.maxCreateRevision ?? 0) !== 0;
  // sorting and filtering need every kv first; otherwise read one extra to learn `more`
  let limit = sortOrder !== SortOrder.NONE || filtered ? 0 : reqLimit;
  if (limit > 0) limit++;
  const rr = t.range(toIndexRange(req.key, req.rangeEnd), { rev: req.revision ?? 0, limit, countOnly: req.countOnly });
  let kvs = rr.kvs;
  if (filtered) {
    const { minModRevision = 0, maxModRevision = 0, minCreateRevision = 0, maxCreateRevision = 0 } = req;
    kvs = kvs.filter(
      (kv) =>
        !(maxModRevision !== 0 && kv.modRevision > maxModRevision) &&
        !(minModRevision !== 0 && kv.modRevision < minModRevision) &&
        !(maxCreateRevision !== 0 && kv.createRevision > maxCreateRevision) &&
        !(minCreateRevision !== 0 && kv.createRevision < minCreateRevision),
    );
  }
  // results come in ascending key order; any other target sorts ascending unless told otherwise
  const order = sortTarget !== SortTarget.KEY && sortOrder === SortOrder.NONE ? SortOrder.ASCEND : sortOrder;
  if (order === SortOrder.ASCEND || order === SortOrder.DESCEND) {
    // an unknown target (the server rejects those first, as etcd does) sorts by key
    const cmp = SORT_KEYS[sortTarget] ?? SORT_KEYS[SortTarget.KEY];
    // stable sort; descending reverses the comparison as Go's sort.Reverse does
    kvs = [...kvs].sort(order === SortOrder.DESCEND ? (a, b) => cmp(b, a) : cmp);
  }
  let more = false;
  if (reqLimit > 0 && kvs.length > reqLimit) {
    kvs = kvs.slice(0, reqLimit);
    more = true;
  }
  if (req.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY }));
  return { revision: rr.rev, kvs, more, count: rr.count };
}

/** Checks a put can apply (etcd's checkRequestPut); throws before anything changes. */
export function checkPut(t: TxnReader, req: PutRequest, lease: LeaseHooks | undefined): KeyValue | undefined {
  const leaseId = req.lease ?? 0n;
  if (leaseId !== 0n && !req.ignoreLease && lease !== undefined && !lease.exists(leaseId)) {
    throw new MvccError('lease-not-found');
  }
  let prev: KeyValue | undefined;
  if (req.ignoreValue || req.ignoreLease || req.prevKv) {
    prev = t.range(toIndexRange(req.key, undefined)).kvs[0];
  }
  if ((req.ignoreValue || req.ignoreLease) && prev === undefined) throw new MvccError('key-not-found');
  return prev;
}

export function applyPut(t: TxnWrite, req: PutRequest, lease: LeaseHooks | undefined): PutResponse {
  const prev = checkPut(t, req, lease);
  const value = req.ignoreValue && prev !== undefined ? prev.value : req.value;
  const leaseId = req.ignoreLease && prev !== undefined ? prev.lease : (req.lease ?? 0n);
  const revision = t.put(req.key, value, leaseId);
  return req.prevKv && prev !== undefined ? { revision, prevKv: prev } : { revision };
}

export function applyDeleteRange(t: TxnWrite, req: DeleteRangeRequest): DeleteRangeResponse {
  const range = toIndexRange(req.key, req.rangeEnd);
  const prevKvs = req.prevKv ? t.range(range).kvs : [];
  const { deleted, rev } = t.deleteRange(range);
  return { revision: rev, deleted, prevKvs };
}
