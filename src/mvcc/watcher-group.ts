// A set of watchers looked up by the key of an event (etcd: watcher_group.go). Single-key
// watchers sit in a map by key; range watchers are scanned, which is fine for the handful of
// prefix watches a client keeps open.

import type { Watcher } from './watcher';

export class WatcherGroup {
  private readonly byKey = new Map<string, Set<Watcher>>();
  private readonly ranges = new Set<Watcher>();
  private readonly all = new Set<Watcher>();

  get size(): number {
    return this.all.size;
  }

  has(w: Watcher): boolean {
    return this.all.has(w);
  }

  add(w: Watcher): void {
    if (this.all.has(w)) return;
    this.all.add(w);
    if (!w.range.single) {
      this.ranges.add(w);
      return;
    }
    let set = this.byKey.get(w.range.start);
    if (set === undefined) {
      set = new Set();
      this.byKey.set(w.range.start, set);
    }
    set.add(w);
  }

  delete(w: Watcher): boolean {
    if (!this.all.delete(w)) return false;
    if (!w.range.single) {
      this.ranges.delete(w);
      return true;
    }
    const set = this.byKey.get(w.range.start);
    set?.delete(w);
    if (set !== undefined && set.size === 0) this.byKey.delete(w.range.start);
    return true;
  }

  /** Calls fn for each watcher whose range holds key. */
  forEachMatch(key: string, fn: (w: Watcher) => void): void {
    const set = this.byKey.get(key);
    if (set !== undefined) for (const w of set) fn(w);
    for (const w of this.ranges) if (w.covers(key)) fn(w);
  }

  /** Whether any watcher's range holds key. */
  contains(key: string): boolean {
    if (this.byKey.has(key)) return true;
    for (const w of this.ranges) if (w.covers(key)) return true;
    return false;
  }

  /** Up to max watchers, in insertion order. */
  take(max: number): Watcher[] {
    const out: Watcher[] = [];
    for (const w of this.all) {
      if (out.length === max) break;
      out.push(w);
    }
    return out;
  }

  [Symbol.iterator](): IterableIterator<Watcher> {
    return this.all.values();
  }
}

/** A subset of watchers (one sync pass), indexed the same way. */
export function groupOf(watchers: Iterable<Watcher>): WatcherGroup {
  const g = new WatcherGroup();
  for (const w of watchers) g.add(w);
  return g;
}
