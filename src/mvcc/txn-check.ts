// The server-side validation etcd runs on a Txn before proposing it (etcd: checkIntervals in
// api/v3rpc/key.go): within the branches that could run together, a key may be put at most once
// and may not be both put and deleted. Then and else branches of one nested txn exclude each
// other, so the same key in both is fine. Pure: the server calls it before proposing.

import { MvccError } from './errors';
import type { RequestOp, TxnRequest } from './kv';

/** [start, end) in bytes; end undefined = the single key start. */
interface Interval {
  start: Buffer;
  end: Buffer | undefined;
}

function covers(iv: Interval, key: Buffer): boolean {
  if (iv.end === undefined) return iv.start.equals(key);
  // etcd compares rangeEnd as given, so a `\0` (from-key) end covers no key here, as in etcd
  return Buffer.compare(iv.start, key) <= 0 && Buffer.compare(key, iv.end) < 0;
}

function coveredByAny(dels: Interval[], key: Buffer): boolean {
  return dels.some((iv) => covers(iv, key));
}

/** The puts (as latin1 keys) and deletes of one list of ops and everything nested under it. */
function checkOps(reqs: RequestOp[]): { puts: Set<string>; dels: Interval[] } {
  const dels: Interval[] = [];
  for (const op of reqs) {
    const d = op.deleteRange;
    if (d === undefined) continue;
    dels.push({ start: d.key, end: d.rangeEnd !== undefined && d.rangeEnd.length > 0 ? d.rangeEnd : undefined });
  }
  const puts = new Set<string>();
  const dup = () => new MvccError('duplicate-key');
  for (const op of reqs) {
    if (op.txn === undefined) continue;
    const then = checkOps(op.txn.success);
    const otherwise = checkOps(op.txn.failure);
    for (const k of then.puts) {
      if (puts.has(k) || coveredByAny(dels, Buffer.from(k, 'latin1'))) throw dup();
      puts.add(k);
    }
    for (const k of otherwise.puts) {
      if (puts.has(k) && !then.puts.has(k)) throw dup();
      if (coveredByAny(dels, Buffer.from(k, 'latin1'))) throw dup();
      puts.add(k);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }
  for (const op of reqs) {
    if (op.put === undefined) continue;
    const k = op.put.key.toString('latin1');
    if (puts.has(k) || coveredByAny(dels, op.put.key)) throw dup();
    puts.add(k);
  }
  return { puts, dels };
}

/** @throws MvccError duplicate-key ("etcdserver: duplicate key given in txn request") */
export function checkTxnDuplicateKeys(req: TxnRequest): void {
  checkOps(req.success);
  checkOps(req.failure);
}
