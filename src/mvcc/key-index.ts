// The history of one key: its revisions, grouped into generations. A generation runs from the
// put that (re)creates the key to the delete that ends it; the delete's revision (a tombstone)
// is the last revision of its generation and is followed by a new, empty generation.
//
// Worked example, key "foo":
//   put@1.0, put@2.0, delete@3.0      generations: {1.0, 2.0, 3.0(t)} {}
//   put@4.0, put@5.0                  generations: {1.0, 2.0, 3.0(t)} {4.0, 5.0}
//   delete@6.0                        generations: {1.0, 2.0, 3.0(t)} {4.0, 5.0, 6.0(t)} {}
//   put@7.0                           generations: {1.0, 2.0, 3.0(t)} {4.0, 5.0, 6.0(t)} {7.0}
// Reading at a revision finds the generation alive then and the newest revision <= it:
//   get(2) -> 2.0 (version 2, created 1.0); get(3) -> none (deleted); get(5) -> 5.0 (version 2,
//   created 4.0); get(6) -> none; get(7) -> 7.0 (version 1, created 7.0).
// Compacting at a revision keeps, for reads at or above it, the newest revision <= it and drops
// everything older; a generation whose tombstone is <= it is dropped whole (tombstone included):
//   compact(2): {2.0, 3.0(t)} {4.0, 5.0, 6.0(t)} {7.0}       (2.0 kept)
//   compact(4): {4.0, 5.0, 6.0(t)} {7.0}                       (4.0 kept)
//   compact(6): {7.0}                                          (nothing kept at or below 6)
//   compact(7): {7.0}                                          (7.0 kept)
// When a compaction leaves only an empty generation the key is gone from the index.
//
// Revisions are held as flat [main, sub, main, sub, ...] number arrays to keep a million keys
// small in memory.

import type { Revision } from './revision';

/** Revision arrays shorter than this are copied at exact size on append; longer ones grow by push. */
const GROW_IN_PLACE = 16;

class Generation {
  /** puts in this generation so far, including ones compacted away */
  ver: number;
  createdMain: number;
  createdSub: number;
  /** flat pairs: revs[2i] = main, revs[2i+1] = sub, ascending */
  revs: number[];

  constructor(ver: number, created: Revision, revs: number[]) {
    this.ver = ver;
    this.createdMain = created.main;
    this.createdSub = created.sub;
    this.revs = revs;
  }

  get count(): number {
    return this.revs.length >> 1;
  }

  mainAt(i: number): number {
    return this.revs[2 * i];
  }

  /** index of the newest revision with main <= atRev, or -1 */
  newestAtOrBefore(atRev: number): number {
    for (let i = this.count - 1; i >= 0; i--) {
      if (this.revs[2 * i] <= atRev) return i;
    }
    return -1;
  }
}

export interface KeyIndexGet {
  modified: Revision;
  created: Revision;
  version: number;
}

export class KeyIndex {
  private generations: Generation[] = [];

  /** Record a put at rev (rev must be newer than every recorded revision). */
  put(rev: Revision): void {
    const g = this.generations[this.generations.length - 1];
    if (g === undefined) {
      this.generations = [new Generation(1, rev, [rev.main, rev.sub])];
      return;
    }
    if (g.count === 0) {
      g.createdMain = rev.main;
      g.createdSub = rev.sub;
      g.revs = [rev.main, rev.sub];
    } else if (g.revs.length < GROW_IN_PLACE) {
      g.revs = [...g.revs, rev.main, rev.sub]; // exact size: most keys have a few revisions
    } else {
      g.revs.push(rev.main, rev.sub);
    }
    g.ver++;
  }

  /** Restore a key whose older revisions may be compacted away: its first known revision. */
  restore(created: Revision, modified: Revision, version: number): void {
    this.generations = [...this.generations, new Generation(version, created, [modified.main, modified.sub])];
  }

  /** Record a delete at rev. False (and nothing recorded) if the key is not alive. */
  tombstone(rev: Revision): boolean {
    const last = this.generations[this.generations.length - 1];
    if (last === undefined || last.count === 0) return false;
    this.put(rev);
    this.generations = [...this.generations, new Generation(0, { main: 0, sub: 0 }, [])];
    return true;
  }

  /** The key's state as of atRev, or undefined if it did not exist then. */
  get(atRev: number): KeyIndexGet | undefined {
    const g = this.findGeneration(atRev);
    if (g === undefined) return undefined;
    const i = g.newestAtOrBefore(atRev);
    if (i < 0) return undefined;
    return {
      modified: { main: g.revs[2 * i], sub: g.revs[2 * i + 1] },
      created: { main: g.createdMain, sub: g.createdSub },
      version: g.ver - (g.count - i - 1),
    };
  }

  /** Whether the key existed at atRev (get() without building its answer). */
  existsAt(atRev: number): boolean {
    const g = this.findGeneration(atRev);
    return g !== undefined && g.newestAtOrBefore(atRev) >= 0;
  }

  /** The generation alive at rev, if any. */
  private findGeneration(rev: number): Generation | undefined {
    const last = this.generations.length - 1;
    for (let i = last; i >= 0; i--) {
      const g = this.generations[i];
      if (g.count === 0) continue;
      // a closed generation whose tombstone is <= rev was dead at rev; nothing older can be alive
      if (i !== last && g.mainAt(g.count - 1) <= rev) return undefined;
      if (g.mainAt(0) <= rev) return g;
    }
    return undefined;
  }

  /** Index of the first generation that a compaction at atRev keeps. */
  private firstKeptGeneration(atRev: number): number {
    let gi = 0;
    while (gi < this.generations.length - 1) {
      const g = this.generations[gi];
      if (g.mainAt(g.count - 1) > atRev) break; // its tombstone is after atRev: still needed
      gi++;
    }
    return gi;
  }

  /**
   * Drop what a compaction at atRev makes unreachable. Calls `kept` with the revision kept for
   * reads at atRev, if any. Returns true when nothing is left (the key can leave the index).
   */
  compact(atRev: number, kept?: (rev: Revision) => void): boolean {
    if (this.generations.length === 0) return true;
    const gi = this.firstKeptGeneration(atRev);
    const g = this.generations[gi];
    const i = g.newestAtOrBefore(atRev);
    if (i > 0) g.revs = g.revs.slice(2 * i);
    if (i >= 0 && kept) kept({ main: g.revs[0], sub: g.revs[1] });
    if (gi > 0) this.generations = this.generations.slice(gi);
    return this.isEmpty();
  }

  /** The revision a compaction at atRev would keep for this key, without changing anything. */
  keep(atRev: number): Revision | undefined {
    if (this.generations.length === 0) return undefined;
    const g = this.generations[this.firstKeptGeneration(atRev)];
    const i = g.newestAtOrBefore(atRev);
    return i < 0 ? undefined : { main: g.revs[2 * i], sub: g.revs[2 * i + 1] };
  }

  /** Whether rev is still recorded (i.e. its record must survive a physical compaction). */
  hasRevision(rev: Revision): boolean {
    for (const g of this.generations) {
      if (g.count === 0 || g.mainAt(0) > rev.main || g.mainAt(g.count - 1) < rev.main) continue;
      for (let i = 0; i < g.count; i++) {
        if (g.revs[2 * i] === rev.main && g.revs[2 * i + 1] === rev.sub) return true;
      }
    }
    return false;
  }

  isEmpty(): boolean {
    return this.generations.every((g) => g.count === 0);
  }

  /** One line per generation, for tests and debugging: "{1.0 2.0 3.0} {}" */
  describe(): string {
    return this.generations
      .map((g) => {
        const revs: string[] = [];
        for (let i = 0; i < g.count; i++) revs.push(`${g.revs[2 * i]}.${g.revs[2 * i + 1]}`);
        return `{${revs.join(' ')}}`;
      })
      .join(' ');
  }
}
