// The safety properties the simulator checks after every step. Each violation throws
// with a description; the cluster adds the seed and the replay command.
import { Entry, HardState, StateType } from '../../../src/raft';

export class Violation extends Error {}

function fail(msg: string): never {
  throw new Violation(msg);
}

export interface MemberView {
  id: bigint;
  state: StateType;
  term: number;
  applied: number;
  applying: number;
  committed: number;
  firstIndex: number;
  lastIndex: number;
  termAt(i: number): number | undefined;
  /** The leader's view of each member: [match, next]. */
  progress: [bigint, number, number][];
}

export class Checker {
  /** term -> the member that led it. */
  private readonly leaders = new Map<number, bigint>();
  /** index -> term of the committed entry there, as first seen committed anywhere. */
  private readonly committedTerms = new Map<number, number>();
  private maxCommitted = 0;
  /** index -> the entry some member applied there. */
  private readonly appliedEntries = new Map<number, Entry>();
  /** Per member: committed indexes already checked against committedTerms. */
  private readonly checkedUpTo = new Map<bigint, number>();
  /** Per member: the last hard state it persisted. */
  private readonly lastHardState = new Map<bigint, HardState>();
  /** Per member: the term in which we last checked its log as leader. */
  private readonly leaderChecked = new Map<bigint, number>();

  /** Election safety and log safety, after every step, for every running member. */
  afterStep(views: MemberView[]): void {
    for (const v of views) {
      if (!(v.applied <= v.applying && v.applying <= v.committed && v.committed <= v.lastIndex)) {
        fail(`member ${v.id} breaks applied <= applying <= committed <= lastIndex: ${v.applied}, ${v.applying}, ${v.committed}, ${v.lastIndex}`);
      }
      for (const [id, match, next] of v.progress) {
        if (!(match < next)) fail(`leader ${v.id} has match ${match} >= next ${next} for member ${id}`);
      }
      if (v.state === StateType.StateLeader) {
        const prev = this.leaders.get(v.term);
        if (prev !== undefined && prev !== v.id) fail(`two leaders in term ${v.term}: ${prev} and ${v.id}`);
        this.leaders.set(v.term, v.id);
      }
      this.checkCommitted(v);
      if (v.state === StateType.StateLeader && this.leaderChecked.get(v.id) !== v.term) {
        this.leaderChecked.set(v.id, v.term);
        this.checkLeaderCompleteness(v);
      }
    }
  }

  /** Committed entries never change: every member agrees on the term at each committed index. */
  private checkCommitted(v: MemberView): void {
    const from = Math.max(this.checkedUpTo.get(v.id) ?? 0, v.firstIndex - 1) + 1;
    for (let i = from; i <= v.committed; i++) {
      const t = v.termAt(i);
      if (t === undefined) {
        if (i >= v.firstIndex) fail(`member ${v.id} lost committed entry ${i}`);
        continue; // compacted away under a snapshot
      }
      const known = this.committedTerms.get(i);
      if (known === undefined) this.committedTerms.set(i, t);
      else if (known !== t) fail(`member ${v.id} has term ${t} at committed index ${i}, but ${known} was committed there`);
    }
    if (v.committed > (this.checkedUpTo.get(v.id) ?? 0)) this.checkedUpTo.set(v.id, v.committed);
    if (v.committed > this.maxCommitted) this.maxCommitted = v.committed;
  }

  /** A new leader's log holds every entry committed so far (Leader Completeness). */
  private checkLeaderCompleteness(v: MemberView): void {
    for (let i = Math.max(1, v.firstIndex); i <= this.maxCommitted; i++) {
      const want = this.committedTerms.get(i);
      if (want === undefined) continue;
      const t = v.termAt(i);
      if (t !== want) fail(`leader ${v.id} of term ${v.term} has term ${t} at index ${i}, but ${want} was committed there`);
    }
  }

  /** A member restarted: its in-memory commit may be lower than before, from the persisted state. */
  restarted(id: bigint, committed: number): void {
    this.checkedUpTo.set(id, Math.min(this.checkedUpTo.get(id) ?? 0, committed));
    this.leaderChecked.delete(id);
  }

  /** State machine safety: every member applies the same entry at each index, in order. */
  applied(id: bigint, prevApplied: number, e: Entry): void {
    if (e.index !== prevApplied + 1) fail(`member ${id} applied index ${e.index} after ${prevApplied}`);
    const known = this.appliedEntries.get(e.index);
    if (known === undefined) {
      this.appliedEntries.set(e.index, e);
      return;
    }
    if (known.term !== e.term || known.type !== e.type || !sameBytes(known.data, e.data)) {
      fail(`member ${id} applied ${e.term}/${e.index} that differs from ${known.term}/${known.index} applied elsewhere`);
    }
  }

  /** Term never goes back; a vote once persisted is never changed within the term. */
  persisted(id: bigint, hs: HardState): void {
    const prev = this.lastHardState.get(id);
    if (prev !== undefined) {
      if (hs.term < prev.term) fail(`member ${id} persisted term ${hs.term} after ${prev.term}`);
      if (hs.term === prev.term && prev.vote !== 0n && hs.vote !== prev.vote) {
        fail(`member ${id} changed its vote in term ${hs.term} from ${prev.vote} to ${hs.vote}`);
      }
      if (hs.commit < prev.commit) fail(`member ${id} persisted commit ${hs.commit} after ${prev.commit}`);
    }
    this.lastHardState.set(id, { ...hs });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
