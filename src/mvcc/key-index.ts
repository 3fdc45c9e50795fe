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
// Memory: a million keys are a million of these, and most keys have one generation holding one
// revision (always so right after a restart or a compaction). So a KeyIndex is itself its open
// (last) generation, a generation holds its oldest revision in fields and only the newer ones in
// a flat [main, sub, ...] array, and closed generations exist only for keys deleted and
// recreated: a typical key is one object of seven fields.

import type { Revision } from './revision';

/** Revision arrays shorter than this are copied at exact size on append; longer ones grow by push. */
const GROW_IN_PLACE = 16;

/** The revisions of one generation. Main revisions start at 1, so firstMain 0 means empty. */
class Generation {
  /** puts in this generation so far, including ones compacted away */
  ver = 0;
  createdMain = 0;
  createdSub = 0;
  /** the oldest revision still recorded (main 0: none) */
  firstMain = 0;
  firstSub = 0;
  /** the newer revisions as flat pairs [main, sub, ...], ascending; null when there are none */
  rest: number[] | null = null;

  get count(): number {
    if (this.firstMain === 0) return 0;
    return this.rest === null ? 1 : 1 + (this.rest.length >> 1);
  }

  mainAt(i: number): number {
    return i === 0 ? this.firstMain : (this.rest as number[])[2 * i - 2];
  }

  subAt(i: number): number {
    return i === 0 ? this.firstSub : (this.rest as number[])[2 * i - 1];
  }

  lastMain(): number {
    return this.mainAt(this.count - 1);
  }

  /** index of the newest revision with main <= atRev, or -1 */
  newestAtOrBefore(atRev: number): number {
    for (let i = this.count - 1; i >= 0; i--) {
      if (this.mainAt(i) <= atRev) return i;
    }
    return -1;
  }

  /** Appends a revision newer than every recorded one. */
  append(main: number, sub: number): void {
    if (this.firstMain === 0) {
      this.firstMain = main;
      this.firstSub = sub;
    } else if (this.rest === null) {
      this.rest = [main, sub];
    } else if (this.rest.length < GROW_IN_PLACE) {
      this.rest = this.rest.concat(main, sub); // exact size: most keys have a few revisions
    } else {
      this.rest.push(main, sub);
    }
  }

  /** Forgets the revisions older than index i. */
  dropBefore(i: number): void {
    if (i <= 0) return;
    const rest = this.rest as number[];
    this.firstMain = rest[2 * i - 2];
    this.firstSub = rest[2 * i - 1];
    this.rest = rest.length > 2 * i ? rest.slice(2 * i) : null;
  }

  /** Moves this generation's content into a new object and leaves this one empty. */
  takeAll(): Generation {
    const g = new Generation();
    g.ver = this.ver;
    g.createdMain = this.createdMain;
    g.createdSub = this.createdSub;
    g.firstMain = this.firstMain;
    g.firstSub = this.firstSub;
    g.rest = this.rest;
    this.ver = 0;
    this.createdMain = 0;
    this.createdSub = 0;
    this.firstMain = 0;
    this.firstSub = 0;
    this.rest = null;
    return g;
  }
}

export interface KeyIndexGet {
  modified: Revision;
  created: Revision;
  version: number;
}

/** A key's history: this object is its open (last) generation; `closed` holds the earlier ones. */
export class KeyIndex extends Generation {
  /** generations ended by a delete, oldest first, never empty; null when there are none */
  private closed: Generation[] | null = null;

  /** A key restored from disk whose older revisions may be compacted away: its newest revision. */
  static restored(created: Revision, modified: Revision, version: number): KeyIndex {
    const ki = new KeyIndex();
    ki.ver = version;
    ki.createdMain = created.main;
    ki.createdSub = created.sub;
    ki.firstMain = modified.main;
    ki.firstSub = modified.sub;
    return ki;
  }

  private get generationCount(): number {
    return this.closed === null ? 1 : this.closed.length + 1;
  }

  private generation(i: number): Generation {
    return this.closed !== null && i < this.closed.length ? this.closed[i] : this;
  }

  /** Record a put at rev (rev must be newer than every recorded revision). */
  put(rev: Revision): void {
    if (this.firstMain === 0) {
      this.createdMain = rev.main;
      this.createdSub = rev.sub;
    }
    this.append(rev.main, rev.sub);
    this.ver++;
  }

  /** Record a delete at rev. False (and nothing recorded) if the key is not alive. */
  tombstone(rev: Revision): boolean {
    if (this.firstMain === 0) return false;
    this.put(rev);
    const ended = this.takeAll();
    this.closed = this.closed === null ? [ended] : this.closed.concat(ended);
    return true;
  }

  /** The key's state as of atRev, or undefined if it did not exist then. */
  get(atRev: number): KeyIndexGet | undefined {
    const g = this.findGeneration(atRev);
    if (g === undefined) return undefined;
    const i = g.newestAtOrBefore(atRev);
    if (i < 0) return undefined;
    return {
      modified: { main: g.mainAt(i), sub: g.subAt(i) },
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
    const last = this.generationCount - 1;
    for (let i = last; i >= 0; i--) {
      const g = this.generation(i);
      if (g.firstMain === 0) continue;
      // a closed generation whose tombstone is <= rev was dead at rev; nothing older can be alive
      if (i !== last && g.lastMain() <= rev) return undefined;
      if (g.firstMain <= rev) return g;
    }
    return undefined;
  }

  /** Index of the first generation that a compaction at atRev keeps. */
  private firstKeptGeneration(atRev: number): number {
    let gi = 0;
    while (gi < this.generationCount - 1) {
      if (this.generation(gi).lastMain() > atRev) break; // its tombstone is after atRev: still needed
      gi++;
    }
    return gi;
  }

  /**
   * Drop what a compaction at atRev makes unreachable. Calls `kept` with the revision kept for
   * reads at atRev, if any. Returns true when nothing is left (the key can leave the index).
   */
  compact(atRev: number, kept?: (rev: Revision) => void): boolean {
    const gi = this.firstKeptGeneration(atRev);
    const g = this.generation(gi);
    const i = g.newestAtOrBefore(atRev);
    g.dropBefore(i);
    if (i >= 0 && kept) kept({ main: g.firstMain, sub: g.firstSub });
    if (gi > 0 && this.closed !== null) this.closed = gi < this.closed.length ? this.closed.slice(gi) : null;
    return this.isEmpty();
  }

  /** The revision a compaction at atRev would keep for this key, without changing anything. */
  keep(atRev: number): Revision | undefined {
    const g = this.generation(this.firstKeptGeneration(atRev));
    const i = g.newestAtOrBefore(atRev);
    return i < 0 ? undefined : { main: g.mainAt(i), sub: g.subAt(i) };
  }

  /** Whether rev is still recorded (i.e. its record must survive a physical compaction). */
  hasRevision(rev: Revision): boolean {
    for (let gi = 0; gi < this.generationCount; gi++) {
      const g = this.generation(gi);
      const count = g.count;
      if (count === 0 || g.firstMain > rev.main || g.lastMain() < rev.main) continue;
      for (let i = 0; i < count; i++) {
        if (g.mainAt(i) === rev.main && g.subAt(i) === rev.sub) return true;
      }
    }
    return false;
  }

  /** Closed generations are never empty, so the key is empty when the open one is alone and empty. */
  isEmpty(): boolean {
    return this.closed === null && this.firstMain === 0;
  }

  /** One line per generation, for tests and debugging: "{1.0 2.0 3.0} {}" */
  describe(): string {
    const gens: string[] = [];
    for (let gi = 0; gi < this.generationCount; gi++) {
      const g = this.generation(gi);
      const revs: string[] = [];
      for (let i = 0; i < g.count; i++) revs.push(`${g.mainAt(i)}.${g.subAt(i)}`);
      gens.push(`{${revs.join(' ')}}`);
    }
    return gens.join(' ');
  }
}
