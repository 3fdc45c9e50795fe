// The stable part of the raft log, behind an interface: raft reads it, the application
// writes it (append after each Ready, applySnapshot, compact). MemoryStorage is the
// reference implementation; a WAL-backed store keeps the same contract.
import { ConfState, Entry, HardState, Snapshot, emptyHardState, emptySnapshot } from './raftpb';
import { errCompacted, errSnapOutOfDate, errUnavailable } from './errors';
import { limitSize } from './codec';

export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/**
 * Storage is read by raft. Methods throw RaftError: 'compacted' for an index before
 * firstIndex()-1, 'unavailable' for one after lastIndex(), and snapshot() may throw
 * 'snapshot-temporarily-unavailable' while the application is still producing one.
 */
export interface Storage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at most maxSize bytes but always at least one when lo < hi. */
  entries(lo: number, hi: number, maxSize: number): Entry[];
  /** The term of entry i, for firstIndex()-1 <= i <= lastIndex(). */
  term(i: number): number;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState();
  private snap: Snapshot = emptySnapshot();
  // ents[i] holds log position ents[0].index + i. ents[0] is a placeholder carrying
  // the index and term of the last compacted entry (the snapshot's), so it is never empty.
  private ents: Entry[] = [{ term: 0, index: 0, type: 0, data: new Uint8Array(0) }];

  /**
   * An empty log. With opts.confState, the membership the group starts with, as if a
   * snapshot at index 0 carried it (the alternative to RawNode.bootstrap).
   */
  constructor(opts: { confState?: ConfState } = {}) {
    if (opts.confState !== undefined) this.snap.metadata.confState = opts.confState;
  }

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    const offset = this.ents[0].index;
    if (lo <= offset) throw errCompacted();
    if (hi > this.lastIndex() + 1) {
      throw new Error(`raft: entries' hi(${hi}) is out of bound lastindex(${this.lastIndex()})`);
    }
    if (this.ents.length === 1) throw errUnavailable();
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSize);
  }

  term(i: number): number {
    const offset = this.ents[0].index;
    if (i < offset) throw errCompacted();
    if (i - offset >= this.ents.length) throw errUnavailable();
    return this.ents[i - offset].term;
  }

  lastIndex(): number {
    return this.ents[0].index + this.ents.length - 1;
  }

  firstIndex(): number {
    return this.ents[0].index + 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the contents with a snapshot received from the leader. */
  applySnapshot(snap: Snapshot): void {
    if (this.snap.metadata.index >= snap.metadata.index) throw errSnapOutOfDate();
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: 0, data: new Uint8Array(0) }];
  }

  /**
   * Records a snapshot of the application state at applied index i (with the config
   * at that point). Entries are kept until compact() is called.
   */
  createSnapshot(i: number, opts: { confState?: ConfState; data: Uint8Array }): Snapshot {
    if (i <= this.snap.metadata.index) throw errSnapOutOfDate();
    const offset = this.ents[0].index;
    if (i > this.lastIndex()) {
      throw new Error(`raft: snapshot ${i} is out of bound lastindex(${this.lastIndex()})`);
    }
    this.snap = {
      data: opts.data,
      metadata: {
        index: i,
        term: this.ents[i - offset].term,
        confState: opts.confState ?? this.snap.metadata.confState,
      },
    };
    return this.snap;
  }

  /** Drops entries up to and including compactIndex. The application must have applied them. */
  compact(compactIndex: number): void {
    const offset = this.ents[0].index;
    if (compactIndex <= offset) throw errCompacted();
    if (compactIndex > this.lastIndex()) {
      throw new Error(`raft: compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`);
    }
    const i = compactIndex - offset;
    const head: Entry = { term: this.ents[i].term, index: this.ents[i].index, type: 0, data: new Uint8Array(0) };
    this.ents.splice(0, i + 1, head);
  }

  /** Appends entries (persisted unstable entries), replacing any conflicting suffix. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0].index + entries.length - 1;
    if (last < first) return; // all of them are already compacted
    if (first > entries[0].index) entries = entries.slice(first - entries[0].index);
    const offset = entries[0].index - this.ents[0].index;
    if (offset > this.ents.length) {
      throw new Error(`raft: missing log entry [last: ${this.lastIndex()}, append at: ${entries[0].index}]`);
    }
    this.ents.length = offset;
    for (const e of entries) this.ents.push(e);
  }
}
