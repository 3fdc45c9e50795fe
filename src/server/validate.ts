// Request checks done before anything is proposed (etcd: checkRangeRequest, checkPutRequest,
// checkDeleteRequest, checkTxnRequest in v3rpc/key.go). Pure: they look only at the request.
import { etcdserverpb } from '../api';
import { ServerError } from './errors';

type RangeRequest = etcdserverpb.RangeRequest;
type PutRequest = etcdserverpb.PutRequest;
type DeleteRangeRequest = etcdserverpb.DeleteRangeRequest;
type TxnRequest = etcdserverpb.TxnRequest;
type RequestOp = etcdserverpb.RequestOp;

export function checkRangeRequest(req: RangeRequest): void {
  if (req.key.length === 0) throw new ServerError('empty-key');
}

export function checkPutRequest(req: PutRequest): void {
  if (req.key.length === 0) throw new ServerError('empty-key');
  if (req.ignoreValue && req.value.length !== 0) throw new ServerError('value-provided');
  if (req.ignoreLease && req.lease !== 0n) throw new ServerError('lease-provided');
}

export function checkDeleteRequest(req: DeleteRangeRequest): void {
  if (req.key.length === 0) throw new ServerError('empty-key');
}

function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  if (op.requestRange !== undefined) checkRangeRequest(op.requestRange);
  else if (op.requestPut !== undefined) checkPutRequest(op.requestPut);
  else if (op.requestDeleteRange !== undefined) checkDeleteRequest(op.requestDeleteRange);
  else if (op.requestTxn !== undefined) checkTxnRequest(op.requestTxn, maxTxnOps);
}

/** A half-open key interval; `end` undefined means the single key `start`, an empty end means every key from start. */
interface Interval {
  start: Buffer;
  end: Buffer | undefined;
}

function deleteInterval(req: DeleteRangeRequest): Interval {
  if (req.rangeEnd.length === 0) return { start: req.key, end: undefined };
  if (req.rangeEnd.length === 1 && req.rangeEnd[0] === 0) return { start: req.key, end: Buffer.alloc(0) };
  return { start: req.key, end: req.rangeEnd };
}

function intervalHolds(interval: Interval, key: Buffer): boolean {
  if (interval.end === undefined) return interval.start.equals(key);
  if (Buffer.compare(key, interval.start) < 0) return false;
  return interval.end.length === 0 || Buffer.compare(key, interval.end) < 0;
}

/** Keys put and ranges deleted by one branch, nested txns included (either of their branches may run). */
interface BranchWrites {
  puts: Set<string>;
  deletes: Interval[];
}

function collectWrites(ops: RequestOp[]): BranchWrites {
  const puts = new Set<string>();
  const deletes: Interval[] = [];
  for (const op of ops) {
    if (op.requestPut !== undefined) {
      const key = op.requestPut.key.toString('latin1');
      if (puts.has(key)) throw new ServerError('duplicate-key');
      puts.add(key);
    } else if (op.requestDeleteRange !== undefined) {
      deletes.push(deleteInterval(op.requestDeleteRange));
    } else if (op.requestTxn !== undefined) {
      const success = collectWrites(op.requestTxn.success);
      const failure = collectWrites(op.requestTxn.failure);
      const nestedPuts = new Set([...success.puts, ...failure.puts]);
      for (const key of nestedPuts) {
        if (puts.has(key)) throw new ServerError('duplicate-key');
        puts.add(key);
      }
      deletes.push(...success.deletes, ...failure.deletes);
    }
  }
  for (const key of puts) {
    const raw = Buffer.from(key, 'latin1');
    if (deletes.some((d) => intervalHolds(d, raw))) throw new ServerError('duplicate-key');
  }
  return { puts, deletes };
}

export function checkTxnRequest(req: TxnRequest, maxTxnOps: number): void {
  const ops = Math.max(req.compare.length, req.success.length, req.failure.length);
  if (ops > maxTxnOps) throw new ServerError('too-many-ops');
  for (const cmp of req.compare) {
    if (cmp.key.length === 0) throw new ServerError('empty-key');
  }
  for (const op of req.success) checkRequestOp(op, maxTxnOps - ops);
  for (const op of req.failure) checkRequestOp(op, maxTxnOps - ops);
  collectWrites(req.success);
  collectWrites(req.failure);
}

/** etcd refuses a proposal whose encoding exceeds --max-request-bytes. */
export function checkRequestSize(encodedBytes: number, maxRequestBytes: number): void {
  if (encodedBytes > maxRequestBytes) throw new ServerError('request-too-large');
}
