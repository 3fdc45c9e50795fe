// The raft log as raft sees it: the stable entries in Storage followed by the unstable
// tail, plus the commit/apply cursors.
import { Entry, Snapshot } from './raftpb';
import { Storage } from './storage';
import { Unstable } from './unstable';
import { entriesSize, limitSize } from './codec';
import { errCompacted, isRaftError } from './errors';

export class RaftLog {
  readonly storage: Storage;
  readonly unstable: Unstable;
  /** Highest index known committed on a quorum. Invariant: applied <= applying <= committed <= lastIndex(). */
  committed: number;
  /** Highest index handed to the application to apply (in a Ready not yet advanced). */
  applying: number;
  /** Highest index the application has applied. */
  applied: number;
  /** Caps the bytes of committed entries handed out and not yet applied. */
  readonly maxApplyingEntsSize: number;
  applyingEntsSize = 0;
  applyingEntsPaused = false;

  constructor(storage: Storage, maxApplyingEntsSize: number) {
    this.storage = storage;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.maxApplyingEntsSize = maxApplyingEntsSize;
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  toString(): string {
    return `committed=${this.committed}, applied=${this.applied}, applying=${this.applying}, unstable.offset=${this.unstable.offset}, unstable.offsetInProgress=${this.unstable.offsetInProgress}, len(unstable.entries)=${this.unstable.entries.length}`;
  }

  /**
   * Appends the leader's entries that follow (prevIndex, prevTerm) if the logs match
   * there, truncating a conflicting suffix. Returns the last index of the new entries,
   * or undefined when the logs do not match.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: Entry[], committed: number): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const ci = this.findConflict(entries);
    if (ci !== 0) {
      if (ci <= this.committed) {
        throw new Error(`raft: entry ${ci} conflicts with committed entry [committed(${this.committed})]`);
      }
      this.append(entries.slice(ci - (prevIndex + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0].index - 1;
    if (after < this.committed) {
      throw new Error(`raft: after(${after}) is out of range [committed(${this.committed})]`);
    }
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** The index of the first entry whose term differs from ours (or that we lack), else 0. */
  findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest (index, term) at or below `index` whose term is <= `term`: the best
   * guess at where our log and a log with `term` at `index` can agree (fast back-off).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (; index > 0; index--) {
      const ours = this.term(index);
      if (ours === undefined) return { index, term: 0 };
      if (ours <= term) return { index, term: ours };
    }
    return { index: 0, term: 0 };
  }

  nextUnstableEnts(): Entry[] {
    return this.unstable.nextEntries();
  }

  hasNextUnstableEnts(): boolean {
    return this.unstable.entries.length > this.unstable.offsetInProgress - this.unstable.offset;
  }

  hasNextOrInProgressUnstableEnts(): boolean {
    return this.unstable.entries.length > 0;
  }

  /** Committed entries not yet handed out for applying (unstable ones included: see rawnode). */
  nextCommittedEnts(): Entry[] {
    if (this.applyingEntsPaused || this.hasNextOrInProgressSnapshot()) return [];
    const lo = this.applying + 1;
    const hi = this.committed + 1;
    if (lo >= hi) return [];
    const maxSize = this.maxApplyingEntsSize - this.applyingEntsSize;
    return this.slice(lo, hi, maxSize);
  }

  hasNextCommittedEnts(): boolean {
    if (this.applyingEntsPaused || this.hasNextOrInProgressSnapshot()) return false;
    return this.applying < this.committed;
  }

  nextUnstableSnapshot(): Snapshot | undefined {
    return this.unstable.nextSnapshot();
  }

  hasNextOrInProgressSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  commitTo(tocommit: number): void {
    if (this.committed < tocommit) {
      if (this.lastIndex() < tocommit) {
        throw new Error(
          `raft: tocommit(${tocommit}) is out of range [lastIndex(${this.lastIndex()})]. Was the raft log corrupted, truncated, or lost?`,
        );
      }
      this.committed = tocommit;
    }
  }

  appliedTo(i: number, size: number): void {
    if (this.committed < i || i < this.applied) {
      throw new Error(`raft: applied(${i}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`);
    }
    this.applied = i;
    this.applying = Math.max(this.applying, i);
    this.applyingEntsSize = this.applyingEntsSize > size ? this.applyingEntsSize - size : 0;
    this.applyingEntsPaused = this.applyingEntsSize >= this.maxApplyingEntsSize;
  }

  acceptApplying(i: number, size: number): void {
    if (this.committed < i) {
      throw new Error(`raft: applying(${i}) is out of range [prevApplying(${this.applying}), committed(${this.committed})]`);
    }
    this.applying = i;
    this.applyingEntsSize += size;
    this.applyingEntsPaused = this.applyingEntsSize >= this.maxApplyingEntsSize || i < this.committed;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i);
  }

  acceptUnstable(): void {
    this.unstable.acceptInProgress();
  }

  lastEntryID(): { index: number; term: number } {
    const index = this.lastIndex();
    const term = this.term(index);
    if (term === undefined) throw new Error(`raft: unexpected error when getting the last term at ${index}`);
    return { index, term };
  }

  /** The term of entry i, or undefined when i is compacted away or beyond the log. */
  term(i: number): number | undefined {
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    if (i + 1 < this.firstIndex() || i > this.lastIndex()) return undefined;
    try {
      return this.storage.term(i);
    } catch (err) {
      if (isRaftError(err, 'compacted') || isRaftError(err, 'unavailable')) return undefined;
      throw err;
    }
  }

  /** Entries from i to the end, at most maxSize bytes. Throws 'compacted' if i is gone. */
  entries(i: number, maxSize: number): Entry[] {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxSize);
  }

  allEntries(): Entry[] {
    return this.entries(this.firstIndex(), Infinity);
  }

  /** Whether a log ending at (index, term) is at least as up to date as ours (§5.4.1). */
  isUpToDate(index: number, term: number): boolean {
    const our = this.lastEntryID();
    return term > our.term || (term === our.term && index >= our.index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Commits up to index if the entry there has the given (the leader's current) term. */
  maybeCommit(index: number, term: number): boolean {
    if (term !== 0 && index > this.committed && this.matchTerm(index, term)) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /** Entries in [lo, hi), at most maxSize bytes (at least one). Throws 'compacted'. */
  slice(lo: number, hi: number, maxSize: number): Entry[] {
    this.checkOutOfBounds(lo, hi);
    if (lo === hi) return [];
    const u = this.unstable;
    if (lo >= u.offset) return limitSize(u.slice(lo, hi), maxSize);
    const cut = Math.min(hi, u.offset);
    let ents: Entry[];
    try {
      ents = this.storage.entries(lo, cut, maxSize);
    } catch (err) {
      if (isRaftError(err, 'unavailable')) throw new Error(`raft: entries[${lo}:${cut}) is unavailable from storage`);
      throw err;
    }
    if (hi <= u.offset || ents.length < cut - lo) return ents;
    const size = entriesSize(ents);
    if (size >= maxSize) return ents;
    const rest = limitSize(u.slice(u.offset, hi), maxSize - size);
    if (rest.length === 1 && size + entriesSize(rest) > maxSize) return ents;
    return ents.concat(rest);
  }

  private checkOutOfBounds(lo: number, hi: number): void {
    if (lo > hi) throw new Error(`raft: invalid slice ${lo} > ${hi}`);
    const fi = this.firstIndex();
    if (lo < fi) throw errCompacted();
    const li = this.lastIndex();
    if (hi > li + 1) throw new Error(`raft: slice[${lo},${hi}) out of bound [${fi},${li}]`);
  }
}
