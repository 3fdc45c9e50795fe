// The store with watchers (etcd: watchable_store.go). Every watcher is in exactly one state:
//   synced    it has seen every revision up to the current one; each committed revision is
//             pushed to it as it commits (notify)
//   unsynced  it is behind; a sync pass reads its missed revisions from the `key` sub-database
//             in bounded chunks, whole revisions at a time, and sends them
//   victim    its stream's queue was full; it holds the one batch that did not fit, and no more
//             is pushed to it until the consumer reads (then the batch is resent and the watcher
//             goes back to unsynced or synced)
// So events reach a watcher in revision order, each revision's events in one response, none
// twice and none missing, and a slow consumer costs at most one batch per watcher.

import type { Backend } from './backend';
import type { Event, KeyValue, WatchResponse, WatchStream } from './kv';
import { EventType } from './kv';
import { decodeKeyValue } from './kv-codec';
import type { CommittedRevision, StoreOptions } from './kvstore';
import { KVStore } from './kvstore';
import type { Change } from './kvstore-txn';
import { bytesToMainRev, isTombstone, revToBytes } from './revision';
import { KEY_DB } from './schema';
import { keyToIndexKey } from './tree-index';
import type { WatchEventCounts, WatchHost, Watcher } from './watcher';
import { WatchStreamImpl } from './watcher';
import type { WatchStreamOptions } from './watcher';
import { WatcherGroup, groupOf } from './watcher-group';

export interface WatchOptions {
  /** unsynced watchers handled per sync pass (etcd: maxWatchersPerSync, 512) */
  maxWatchersPerSync?: number;
  /** revisions per response when catching up (etcd: watchBatchMaxRevs, 1000) */
  batchMaxRevisions?: number;
  /** records read from history per sync pass; whole revisions are always kept together */
  syncChunkRecords?: number;
  /** pause between sync passes that found nothing to send, ms (etcd: 100) */
  syncIntervalMs?: number;
}

export interface WatchableStoreOptions extends StoreOptions {
  watch?: WatchOptions;
}

/** The events of consecutive revisions for one watcher, capped at batchMaxRevisions revisions. */
interface EventBatch {
  events: Event[];
  revisions: number;
  /** the first revision left out because of the cap (0 = none) */
  moreRev: number;
}

function toEvent(change: Change): Event {
  return { type: change.deleted ? EventType.DELETE : EventType.PUT, kv: change.kv };
}

export class WatchableStore extends KVStore implements WatchHost {
  private readonly synced = new WatcherGroup();
  private readonly unsynced = new WatcherGroup();
  private readonly victims = new Map<Watcher, EventBatch>();
  private readonly streams = new Set<WatchStreamImpl>();
  /** Counted by the streams as responses enter and leave their queues; read by metrics. */
  readonly eventCounts: WatchEventCounts = { sent: 0, pending: 0 };
  private readonly opts: Required<WatchOptions>;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncSoon: NodeJS.Immediate | undefined;
  private victimsSoon: NodeJS.Immediate | undefined;

  constructor(backend: Backend, opts: WatchableStoreOptions = {}) {
    super(backend, opts);
    this.opts = {
      maxWatchersPerSync: opts.watch?.maxWatchersPerSync ?? 512,
      batchMaxRevisions: opts.watch?.batchMaxRevisions ?? 1000,
      syncChunkRecords: opts.watch?.syncChunkRecords ?? 10000,
      syncIntervalMs: opts.watch?.syncIntervalMs ?? 100,
    };
  }

  /** A new stream of watchers sharing one bounded response queue. */
  watchStream(opts: WatchStreamOptions = {}): WatchStream {
    this.assertOpen();
    const stream = new WatchStreamImpl(this, opts);
    this.streams.add(stream);
    return stream;
  }

  /** Counts for metrics and tests. */
  watcherCounts(): { synced: number; unsynced: number; victims: number } {
    return { synced: this.synced.size, unsynced: this.unsynced.size, victims: this.victims.size };
  }

  /** Open watch streams, for metrics. */
  watchStreamCount(): number {
    return this.streams.size;
  }

  // ---- WatchHost

  addWatcher(w: Watcher, startRevision: number): void {
    const cur = this.currentRevision;
    if (startRevision === 0 || startRevision > cur) {
      w.minRev = Math.max(cur + 1, startRevision);
      this.synced.add(w);
    } else {
      w.minRev = startRevision;
      this.unsynced.add(w);
      this.scheduleSync(true);
    }
  }

  removeWatcher(w: Watcher): void {
    this.synced.delete(w);
    this.unsynced.delete(w);
    this.victims.delete(w);
  }

  isSynced(w: Watcher): boolean {
    return this.synced.has(w);
  }

  kvAt(key: Buffer, rev: number): KeyValue | undefined {
    if (this.closed || rev <= 0) return undefined;
    try {
      return this.range({ key, revision: rev }).kvs[0];
    } catch {
      return undefined; // compacted meanwhile: etcd leaves prev_kv out then
    }
  }

  streamClosed(stream: WatchStreamImpl): void {
    this.streams.delete(stream);
  }

  queueDrained(): void {
    if (this.victims.size > 0 && this.victimsSoon === undefined) {
      this.victimsSoon = setImmediate(() => {
        this.victimsSoon = undefined;
        this.moveVictims();
      });
    }
  }

  // ---- pushing committed revisions to synced watchers

  protected override notify(revisions: CommittedRevision[]): void {
    for (const { rev, changes } of revisions) {
      const perWatcher = new Map<Watcher, Event[]>();
      for (const change of changes) {
        const ev = toEvent(change);
        this.synced.forEachMatch(keyToIndexKey(change.kv.key), (w) => {
          if (w.minRev > rev) return; // waiting for a future start revision
          let evs = perWatcher.get(w);
          if (evs === undefined) {
            evs = [];
            perWatcher.set(w, evs);
          }
          evs.push(ev);
        });
      }
      for (const [w, events] of perWatcher) {
        if (w.send({ watchId: w.id, events, revision: rev, compactRevision: 0 })) continue;
        w.minRev = rev + 1;
        w.victim = true;
        this.victims.set(w, { events, revisions: 1, moreRev: 0 });
        this.synced.delete(w);
      }
    }
  }

  /** Every synced watcher catches up from the new contents, as etcd's watchable store does after a restore. */
  protected override contentsReplaced(): void {
    for (const w of [...this.synced]) {
      this.synced.delete(w);
      this.unsynced.add(w);
    }
    this.scheduleSync(true);
  }

  // ---- victims

  private moveVictims(): void {
    if (this.closed) return;
    const cur = this.currentRevision;
    for (const [w, batch] of [...this.victims]) {
      if (!w.send({ watchId: w.id, events: batch.events, revision: w.minRev - 1, compactRevision: 0 })) continue;
      this.victims.delete(w);
      w.victim = false;
      if (batch.moreRev !== 0) w.minRev = batch.moreRev;
      if (w.minRev <= cur) {
        this.unsynced.add(w);
        this.scheduleSync(true);
      } else {
        this.synced.add(w);
      }
    }
  }

  // ---- catching unsynced watchers up from history

  private scheduleSync(now: boolean): void {
    if (this.closed || this.unsynced.size === 0) return;
    if (now) {
      if (this.syncSoon !== undefined) return;
      if (this.syncTimer !== undefined) {
        clearTimeout(this.syncTimer);
        this.syncTimer = undefined;
      }
      this.syncSoon = setImmediate(() => {
        this.syncSoon = undefined;
        this.syncPass();
      });
    } else if (this.syncTimer === undefined && this.syncSoon === undefined) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = undefined;
        this.syncPass();
      }, this.opts.syncIntervalMs);
      this.syncTimer.unref();
    }
  }

  /** One pass over up to maxWatchersPerSync unsynced watchers; reschedules itself while any remain. */
  private syncPass(): void {
    if (this.closed) return;
    const progressed = this.syncWatchers();
    this.scheduleSync(progressed);
  }

  /** Returns whether anything was sent or any watcher changed state. */
  private syncWatchers(): boolean {
    const cur = this.currentRevision;
    const compactRev = this.compactRevision;
    let progressed = false;
    const chosen: Watcher[] = [];
    for (const w of this.unsynced.take(this.opts.maxWatchersPerSync)) {
      if (w.minRev < compactRev) {
        // history it needs is gone: tell it the compact revision; it stays here until that fits
        if (w.stream.trySend({ watchId: w.id, events: [], revision: 0, compactRevision: compactRev })) {
          w.compacted = true;
          this.unsynced.delete(w);
          progressed = true;
        }
        continue;
      }
      chosen.push(w);
    }
    if (chosen.length === 0) return progressed;
    const minRev = Math.min(...chosen.map((w) => w.minRev));
    const { events, lastRev } = this.readHistory(groupOf(chosen), minRev, cur);
    for (const w of chosen) {
      const batch = this.batchFor(w, events);
      // the chunk started at the smallest minRev of the pass: never move a watcher back
      w.minRev = Math.max(w.minRev, lastRev + 1);
      if (batch === undefined) {
        if (lastRev >= cur) {
          this.unsynced.delete(w);
          this.synced.add(w);
          progressed = true;
        }
        continue;
      }
      if (batch.moreRev !== 0) w.minRev = batch.moreRev;
      progressed = true;
      if (!w.send({ watchId: w.id, events: batch.events, revision: cur, compactRevision: 0 })) {
        w.victim = true;
        this.unsynced.delete(w);
        this.victims.set(w, batch);
        continue;
      }
      if (w.minRev > cur) {
        this.unsynced.delete(w);
        this.synced.add(w);
      }
    }
    return progressed;
  }

  /**
   * Events of revisions [minRev, ...] for keys some watcher in group covers, reading at most
   * syncChunkRecords records but never splitting a revision. lastRev is the last revision read.
   */
  private readHistory(group: WatcherGroup, minRev: number, cur: number): { events: Event[]; lastRev: number } {
    const start = revToBytes({ main: minRev, sub: 0 });
    const end = revToBytes({ main: cur + 1, sub: 0 });
    const limit = this.opts.syncChunkRecords;
    const records: { key: Buffer; value: Buffer }[] = [];
    let lastRev = cur;
    for (const rec of this.backend.entries(KEY_DB, { start, end })) {
      if (records.length >= limit) {
        const main = bytesToMainRev(rec.key);
        const prevMain = bytesToMainRev(records[records.length - 1].key);
        if (main !== prevMain) {
          lastRev = prevMain;
          break;
        }
      }
      records.push(rec);
    }
    const events: Event[] = [];
    for (const { key, value } of records) {
      const kv = decodeKeyValue(value);
      if (!group.contains(keyToIndexKey(kv.key))) continue;
      if (isTombstone(key)) {
        events.push({ type: EventType.DELETE, kv: { ...kv, modRevision: bytesToMainRev(key) } });
      } else {
        events.push({ type: EventType.PUT, kv });
      }
    }
    return { events, lastRev };
  }

  private batchFor(w: Watcher, events: Event[]): EventBatch | undefined {
    let batch: EventBatch | undefined;
    for (const ev of events) {
      if (ev.kv.modRevision < w.minRev || !w.covers(keyToIndexKey(ev.kv.key))) continue;
      if (batch === undefined) {
        batch = { events: [ev], revisions: 1, moreRev: 0 };
        continue;
      }
      if (batch.moreRev !== 0) break;
      if (ev.kv.modRevision > batch.events[batch.events.length - 1].kv.modRevision) {
        batch.revisions++;
        if (batch.revisions > this.opts.batchMaxRevisions) {
          batch.moreRev = ev.kv.modRevision;
          break;
        }
      }
      batch.events.push(ev);
    }
    return batch;
  }

  override async close(): Promise<void> {
    for (const s of [...this.streams]) s.close();
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer);
    if (this.syncSoon !== undefined) clearImmediate(this.syncSoon);
    if (this.victimsSoon !== undefined) clearImmediate(this.victimsSoon);
    await super.close();
  }
}

/** Opens the store over an open backend: restores the index and resumes a pending compaction. */
export function openStore(backend: Backend, opts: WatchableStoreOptions = {}): WatchableStore {
  return new WatchableStore(backend, opts);
}
