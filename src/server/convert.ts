// Conversions between the wire messages (bigint int64, every field present) and the store's
// requests and responses (numbers, optional fields). Pure; no validation here (see validate.ts).
import { etcdserverpb, mvccpb } from '../api';
import type * as mvcc from '../mvcc';

/** Revisions and counts fit in a double well past what a store reaches; bigint only at the wire. */
function num(n: bigint): number {
  return Number(n);
}

function optionalEnd(rangeEnd: Buffer): Buffer | undefined {
  return rangeEnd.length === 0 ? undefined : rangeEnd;
}

export function rangeToStore(r: etcdserverpb.RangeRequest): mvcc.RangeRequest {
  return {
    key: r.key,
    rangeEnd: optionalEnd(r.rangeEnd),
    limit: num(r.limit),
    revision: num(r.revision),
    sortOrder: r.sortOrder as mvcc.RangeRequest['sortOrder'],
    sortTarget: r.sortTarget as mvcc.RangeRequest['sortTarget'],
    keysOnly: r.keysOnly,
    countOnly: r.countOnly,
    minModRevision: num(r.minModRevision),
    maxModRevision: num(r.maxModRevision),
    minCreateRevision: num(r.minCreateRevision),
    maxCreateRevision: num(r.maxCreateRevision),
  };
}

export function putToStore(r: etcdserverpb.PutRequest): mvcc.PutRequest {
  return { key: r.key, value: r.value, lease: r.lease, prevKv: r.prevKv, ignoreValue: r.ignoreValue, ignoreLease: r.ignoreLease };
}

export function deleteToStore(r: etcdserverpb.DeleteRangeRequest): mvcc.DeleteRangeRequest {
  return { key: r.key, rangeEnd: optionalEnd(r.rangeEnd), prevKv: r.prevKv };
}

function compareToStore(c: etcdserverpb.Compare): mvcc.Compare {
  return {
    result: c.result as mvcc.Compare['result'],
    target: c.target as mvcc.Compare['target'],
    key: c.key,
    rangeEnd: optionalEnd(c.rangeEnd),
    version: c.version === undefined ? undefined : num(c.version),
    createRevision: c.createRevision === undefined ? undefined : num(c.createRevision),
    modRevision: c.modRevision === undefined ? undefined : num(c.modRevision),
    value: c.value,
    lease: c.lease,
  };
}

function opToStore(op: etcdserverpb.RequestOp): mvcc.RequestOp {
  if (op.requestRange !== undefined) return { range: rangeToStore(op.requestRange) };
  if (op.requestPut !== undefined) return { put: putToStore(op.requestPut) };
  if (op.requestDeleteRange !== undefined) return { deleteRange: deleteToStore(op.requestDeleteRange) };
  if (op.requestTxn !== undefined) return { txn: txnToStore(op.requestTxn) };
  return {};
}

export function txnToStore(r: etcdserverpb.TxnRequest): mvcc.TxnRequest {
  return { compare: r.compare.map(compareToStore), success: r.success.map(opToStore), failure: r.failure.map(opToStore) };
}

export function kvToWire(kv: mvcc.KeyValue): mvccpb.KeyValue {
  return {
    key: kv.key,
    createRevision: BigInt(kv.createRevision),
    modRevision: BigInt(kv.modRevision),
    version: BigInt(kv.version),
    value: kv.value,
    lease: kv.lease,
  };
}

export function eventToWire(ev: mvcc.Event): mvccpb.Event {
  return { type: ev.type as number as mvccpb.Event_EventType, kv: kvToWire(ev.kv), prevKv: ev.prevKv === undefined ? undefined : kvToWire(ev.prevKv) };
}

type Header = etcdserverpb.ResponseHeader;

export function rangeToWire(r: mvcc.RangeResponse, header: (revision: number) => Header): etcdserverpb.RangeResponse {
  return { header: header(r.revision), kvs: r.kvs.map(kvToWire), more: r.more, count: BigInt(r.count) };
}

export function putToWire(r: mvcc.PutResponse, header: (revision: number) => Header): etcdserverpb.PutResponse {
  return { header: header(r.revision), prevKv: r.prevKv === undefined ? undefined : kvToWire(r.prevKv) };
}

export function deleteToWire(r: mvcc.DeleteRangeResponse, header: (revision: number) => Header): etcdserverpb.DeleteRangeResponse {
  return { header: header(r.revision), deleted: BigInt(r.deleted), prevKvs: r.prevKvs.map(kvToWire) };
}

function responseOpToWire(op: mvcc.ResponseOp, header: (revision: number) => Header): etcdserverpb.ResponseOp {
  if (op.range !== undefined) return { responseRange: rangeToWire(op.range, header) };
  if (op.put !== undefined) return { responsePut: putToWire(op.put, header) };
  if (op.deleteRange !== undefined) return { responseDeleteRange: deleteToWire(op.deleteRange, header) };
  if (op.txn !== undefined) return { responseTxn: txnToWire(op.txn, header) };
  return {};
}

/** Responses nested in a txn carry only their revision in the header, as etcd's do. */
function bareHeader(revision: number): Header {
  return { clusterId: 0n, memberId: 0n, revision: BigInt(revision), raftTerm: 0n };
}

export function txnToWire(r: mvcc.TxnResponse, header: (revision: number) => Header): etcdserverpb.TxnResponse {
  return { header: header(r.revision), succeeded: r.succeeded, responses: r.responses.map((op) => responseOpToWire(op, bareHeader)) };
}
