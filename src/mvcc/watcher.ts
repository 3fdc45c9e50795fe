// A watcher (one watched range of one stream) and the watch stream: a client's watchers sharing
// one bounded response queue (etcd: watcher.go; the queue is etcd's per-stream channel). When
// the queue is full a send fails and the store stops pushing to that watcher (it becomes a
// victim) instead of growing memory; it is caught up from history once the consumer reads.

import { MvccError } from './errors';
import type { Event, KeyValue, WatchFilters, WatchRequest, WatchResponse, WatchStream } from './kv';
import { EventType } from './kv';
import type { IndexRange } from './tree-index';
import { toIndexRange } from './tree-index';

/** Events handed to the consumers of all streams, and those waiting in their queues (etcd's events_total and pending_events_total). */
export interface WatchEventCounts {
  sent: number;
  pending: number;
}

/** What the stream needs from the watchable store. */
export interface WatchHost {
  readonly currentRevision: number;
  readonly eventCounts: WatchEventCounts;
  addWatcher(w: Watcher, startRevision: number): void;
  removeWatcher(w: Watcher): void;
  isSynced(w: Watcher): boolean;
  /** the kv of key as of rev, if still readable */
  kvAt(key: Buffer, rev: number): KeyValue | undefined;
  /** a stream's queue has room again */
  queueDrained(): void;
  streamClosed(stream: WatchStreamImpl): void;
}

export class Watcher {
  readonly id: number;
  readonly range: IndexRange;
  readonly prevKv: boolean;
  readonly filters: WatchFilters;
  readonly stream: WatchStreamImpl;
  /** the next revision this watcher has not seen */
  minRev = 0;
  /** its last send failed; it waits in the victim list */
  victim = false;
  /** it got its compacted notice and is out of every group */
  compacted = false;

  constructor(id: number, range: IndexRange, req: WatchRequest, stream: WatchStreamImpl) {
    this.id = id;
    this.range = range;
    this.prevKv = req.prevKv ?? false;
    this.filters = req.filters ?? {};
    this.stream = stream;
  }

  covers(key: string): boolean {
    if (this.range.single) return key === this.range.start;
    return key >= this.range.start && (this.range.end === null || key < this.range.end);
  }

  /** Queues resp with this watcher's filters applied; false if the queue is full. */
  send(resp: WatchResponse): boolean {
    const progress = resp.events.length === 0;
    let events = resp.events;
    if (this.filters.noPut || this.filters.noDelete) {
      events = events.filter(
        (ev) => !(this.filters.noPut && ev.type === EventType.PUT) && !(this.filters.noDelete && ev.type === EventType.DELETE),
      );
    }
    if (!progress && events.length === 0) return true; // everything filtered out: nothing to say
    return this.stream.trySend(events === resp.events ? resp : { ...resp, events });
  }
}

export interface WatchStreamOptions {
  /** responses the stream holds before its watchers become victims (etcd: chanBufLen, 128) */
  queueSize?: number;
}

export class WatchStreamImpl implements WatchStream {
  private readonly host: WatchHost;
  private readonly capacity: number;
  private readonly queue: WatchResponse[] = [];
  private readonly watchers = new Map<number, Watcher>();
  private nextId = 0;
  private waiting: ((resp: WatchResponse | undefined) => void) | undefined;
  private closed = false;

  constructor(host: WatchHost, opts: WatchStreamOptions = {}) {
    this.host = host;
    this.capacity = Math.max(1, opts.queueSize ?? 128);
  }

  watch(req: WatchRequest): number {
    const range = toIndexRange(req.key, req.rangeEnd);
    if (range.end !== null && range.start >= range.end) throw new MvccError('empty-watcher-range');
    if (this.closed) throw new MvccError('closed');
    let id: number;
    if (req.watchId === undefined) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    } else {
      if (this.watchers.has(req.watchId)) throw new MvccError('duplicate-watch-id');
      id = req.watchId;
    }
    const w = new Watcher(id, range, req, this);
    this.watchers.set(id, w);
    this.host.addWatcher(w, req.startRevision ?? 0);
    return id;
  }

  cancel(watchId: number): boolean {
    const w = this.watchers.get(watchId);
    if (w === undefined) return false;
    this.watchers.delete(watchId);
    this.host.removeWatcher(w);
    // nothing for a canceled watcher reaches the consumer after its cancel
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].watchId !== watchId) continue;
      this.host.eventCounts.pending -= this.queue[i].events.length;
      this.queue.splice(i, 1);
    }
    return true;
  }

  requestProgress(watchId: number): void {
    const w = this.watchers.get(watchId);
    if (w !== undefined && this.host.isSynced(w)) {
      this.trySend({ watchId, events: [], revision: this.host.currentRevision, compactRevision: 0 });
    }
  }

  requestProgressAll(): boolean {
    const live = [...this.watchers.values()].filter((w) => !w.compacted);
    if (!live.every((w) => this.host.isSynced(w))) return false;
    if (live.length === 0) return true; // as etcd: no watcher, nothing to notify
    return this.trySend({ watchId: -1, events: [], revision: this.host.currentRevision, compactRevision: 0 });
  }

  /** Queues a response; false when the queue is full. A closed stream swallows it. */
  trySend(resp: WatchResponse): boolean {
    if (this.closed) return true;
    if (this.waiting !== undefined) {
      const wake = this.waiting;
      this.waiting = undefined;
      this.host.eventCounts.sent += resp.events.length;
      wake(this.withPrevKvs(resp));
      return true;
    }
    if (this.queue.length >= this.capacity) return false;
    this.queue.push(resp);
    this.host.eventCounts.pending += resp.events.length;
    return true;
  }

  /** Responses waiting to be read (for tests and metrics). */
  get pending(): number {
    return this.queue.length;
  }

  next(): Promise<WatchResponse | undefined> {
    const resp = this.queue.shift();
    if (resp !== undefined) {
      const counts = this.host.eventCounts;
      counts.pending -= resp.events.length;
      counts.sent += resp.events.length;
      if (this.queue.length === this.capacity - 1) this.host.queueDrained();
      return Promise.resolve(this.withPrevKvs(resp));
    }
    if (this.closed) return Promise.resolve(undefined);
    if (this.waiting !== undefined) return Promise.reject(new Error('mvcc: concurrent next() on one watch stream'));
    this.host.queueDrained();
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchResponse> {
    for (;;) {
      const resp = await this.next();
      if (resp === undefined) return;
      yield resp;
    }
  }

  /** prev_kv is looked up as the response leaves the queue, as etcd's send loop does. */
  private withPrevKvs(resp: WatchResponse): WatchResponse {
    const w = this.watchers.get(resp.watchId);
    if (w === undefined || !w.prevKv || resp.events.length === 0) return resp;
    const events: Event[] = resp.events.map((ev) => {
      const prevKv = this.host.kvAt(ev.kv.key, ev.kv.modRevision - 1);
      return prevKv === undefined ? ev : { ...ev, prevKv };
    });
    return { ...resp, events };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers.values()) this.host.removeWatcher(w);
    this.watchers.clear();
    for (const resp of this.queue) this.host.eventCounts.pending -= resp.events.length;
    this.queue.length = 0;
    this.host.streamClosed(this);
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.(undefined);
  }
}
