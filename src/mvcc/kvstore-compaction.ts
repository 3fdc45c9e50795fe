// Physical compaction: removing the records a compaction made unreachable. The index is
// compacted when the Compact request applies and the scheduled revision is written in that same
// transaction; the removal then runs here in chunks (one LMDB transaction each, yielding to the
// event loop between them) and the transaction of the last chunk writes finishedCompactRev.
// A record at or below the compact revision is kept iff the compacted index still holds it.
// Jobs run one at a time in the order they were scheduled.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { MvccError } from './errors';
import { decodeKeyValue } from './kv-codec';
import type { StoreCore } from './kvstore-txn';
import { bytesToRev, revToBytes } from './revision';
import { KEY_DB, META_DB, MetaKey } from './schema';
import { keyToIndexKey } from './tree-index';

/**
 * What compactions cost, for etcd's etcd_debugging_mvcc_*compaction* metrics. Durations are in whole
 * milliseconds (truncated), as etcd observes them.
 */
export interface CompactionObserver {
  /** the index was compacted (at apply) */
  indexCompacted(ms: number): void;
  /** a full chunk of the removal committed and another follows (etcd observes no pause for the last one) */
  chunkRemoved(ms: number): void;
  /** a removal ended (done, or stopped by close) after deleting `keys` records */
  removalEnded(ms: number, keys: number): void;
}

export interface CompactorOptions {
  /** records examined per transaction (etcd: compactionBatchLimit) */
  batchLimit?: number;
  observer?: CompactionObserver;
}

/** Whole milliseconds since `start` (a performance.now()), as Go's time.Since(start) / time.Millisecond. */
export function millisecondsSince(start: number): number {
  return Math.floor(performance.now() - start);
}

export class Compactor {
  private readonly core: StoreCore & { readonly closed: boolean };
  private readonly batchLimit: number;
  private readonly observer: CompactionObserver | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(core: StoreCore & { readonly closed: boolean }, opts: CompactorOptions = {}) {
    this.core = core;
    this.batchLimit = Math.max(1, opts.batchLimit ?? 1000);
    this.observer = opts.observer;
  }

  /** Queues the removal for a compaction at rev; resolves when it is done and recorded. */
  schedule(rev: number): Promise<void> {
    const job = this.queue.then(() => this.run(rev));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Resolves once every job scheduled so far has ended. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async run(rev: number): Promise<void> {
    const started = performance.now();
    let removed = 0;
    try {
      await this.remove(rev, (n) => (removed += n));
    } finally {
      this.observer?.removalEnded(millisecondsSince(started), removed);
    }
  }

  private async remove(rev: number, removed: (n: number) => void): Promise<void> {
    let start = revToBytes({ main: 0, sub: 0 });
    const end = revToBytes({ main: rev + 1, sub: 0 });
    for (;;) {
      await yieldToEventLoop();
      if (this.core.closed) throw new MvccError('closed');
      const chunkStarted = performance.now();
      const { next, deleted } = this.core.backend.writeSync((w) => {
        const doomed: Buffer[] = [];
        let last: Buffer | undefined;
        let seen = 0;
        for (const { key, value } of w.entries(KEY_DB, { start, end })) {
          if (seen === this.batchLimit) break;
          seen++;
          last = key;
          if (!this.core.index.hasRevision(keyToIndexKey(decodeKeyValue(value).key), bytesToRev(key))) doomed.push(key);
        }
        for (const key of doomed) w.delete(KEY_DB, key);
        if (seen < this.batchLimit || last === undefined) {
          w.put(META_DB, MetaKey.finishedCompactRev, revToBytes({ main: rev, sub: 0 }));
          return { next: undefined, deleted: doomed.length };
        }
        // the smallest key after `last`
        return { next: Buffer.concat([last, Buffer.of(0)]), deleted: doomed.length };
      });
      removed(deleted);
      if (next === undefined) return;
      this.observer?.chunkRemoved(millisecondsSince(chunkStarted));
      start = next;
    }
  }
}
