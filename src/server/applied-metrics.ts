// What an applied request adds to etcd's store and lease counters: puts, deletes and the ranges of a
// txn's taken branch (every member applies them, so every member counts them, as etcd's do), a txn of
// more than one operation as a txn, and lease grants (with their TTL) and revokes.
import type * as mvcc from '../mvcc';
import type { ApplyValue } from './apply';
import type { ServerMetrics } from './metrics';

export function countApplied(metrics: ServerMetrics, value: ApplyValue): void {
  if (value.kind === 'put') metrics.puts.inc();
  else if (value.kind === 'deleteRange') metrics.deletes.inc();
  else if (value.kind === 'txn') {
    if (countTxnOps(metrics, value.txn) > 1) metrics.txns.inc();
  } else if (value.kind === 'leaseGrant') {
    metrics.leasesGranted.inc();
    metrics.leaseTtl.observe(value.ttl);
  } else if (value.kind === 'leaseRevoke') metrics.leasesRevoked.inc();
}

/** Counts the operations of a txn's taken branch (nested txns included); returns how many there were. */
function countTxnOps(metrics: ServerMetrics, txn: mvcc.TxnResponse): number {
  let ops = 0;
  for (const r of txn.responses) {
    if (r.put) metrics.puts.inc();
    else if (r.deleteRange) metrics.deletes.inc();
    else if (r.range) metrics.ranges.inc();
    else if (r.txn) {
      ops += countTxnOps(metrics, r.txn);
      continue;
    }
    ops++;
  }
  return ops;
}
