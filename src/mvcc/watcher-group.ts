// A set of watchers looked up by the key of an event (etcd: watcher_group.go). Single-key
// watchers sit in a map by key, prefix watchers (the range [p, end of prefix p), what
// `--prefix` and kube-apiserver ask for) in a map by prefix, looked up with the event key cut to
// each prefix length in use; the other ranges are scanned, which is fine for the few of them a
// client keeps open.

import type { IndexRange } from './tree-index';
import type { Watcher } from './watcher';

/** The first key after every key that starts with `prefix` (etcd's GetPrefixRangeEnd); null when there is none. */
function prefixEnd(prefix: string): string | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return null;
}

/** The prefix a range watches, if it is a prefix range. */
function prefixOf(range: IndexRange): string | undefined {
  if (range.single || range.end === null || range.start.length === 0) return undefined;
  return range.end === prefixEnd(range.start) ? range.start : undefined;
}

function addTo(map: Map<string, Set<Watcher>>, key: string, w: Watcher): boolean {
  let set = map.get(key);
  const created = set === undefined;
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(w);
  return created;
}

function deleteFrom(map: Map<string, Set<Watcher>>, key: string, w: Watcher): boolean {
  const set = map.get(key);
  set?.delete(w);
  if (set === undefined || set.size > 0) return false;
  map.delete(key);
  return true;
}

export class WatcherGroup {
  private readonly byKey = new Map<string, Set<Watcher>>();
  private readonly byPrefix = new Map<string, Set<Watcher>>();
  /** prefix length → how many prefixes of that length byPrefix holds */
  private readonly prefixLengths = new Map<number, number>();
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
    if (w.range.single) {
      addTo(this.byKey, w.range.start, w);
      return;
    }
    const prefix = prefixOf(w.range);
    if (prefix === undefined) {
      this.ranges.add(w);
      return;
    }
    if (addTo(this.byPrefix, prefix, w)) this.prefixLengths.set(prefix.length, (this.prefixLengths.get(prefix.length) ?? 0) + 1);
  }

  delete(w: Watcher): boolean {
    if (!this.all.delete(w)) return false;
    if (w.range.single) {
      deleteFrom(this.byKey, w.range.start, w);
      return true;
    }
    const prefix = prefixOf(w.range);
    if (prefix === undefined) {
      this.ranges.delete(w);
      return true;
    }
    if (deleteFrom(this.byPrefix, prefix, w)) {
      const left = (this.prefixLengths.get(prefix.length) ?? 1) - 1;
      if (left === 0) this.prefixLengths.delete(prefix.length);
      else this.prefixLengths.set(prefix.length, left);
    }
    return true;
  }

  /** Calls fn for each watcher whose range holds key. */
  forEachMatch(key: string, fn: (w: Watcher) => void): void {
    const set = this.byKey.get(key);
    if (set !== undefined) for (const w of set) fn(w);
    for (const length of this.prefixLengths.keys()) {
      if (length > key.length) continue;
      const watchers = this.byPrefix.get(length === key.length ? key : key.slice(0, length));
      if (watchers !== undefined) for (const w of watchers) fn(w);
    }
    for (const w of this.ranges) if (w.covers(key)) fn(w);
  }

  /** Whether any watcher's range holds key. */
  contains(key: string): boolean {
    let found = false;
    this.forEachMatch(key, () => {
      found = true;
    });
    return found;
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
