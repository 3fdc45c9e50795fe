// What the leader knows of one follower's log, and how it sends to it: probe (one message
// per round trip until the match point is found), replicate (pipelined, bounded by
// Inflights), snapshot (waiting for a snapshot to be applied).
import { Inflights } from './inflights';

export enum ProgressState {
  StateProbe = 0,
  StateReplicate = 1,
  StateSnapshot = 2,
}

export class Progress {
  /** Highest index known to be in the follower's log. Invariant: match < next. */
  match: number;
  /** Index of the next entry to send. */
  next: number;
  /** Highest commit index sent to the follower. Invariant: sentCommit <= next - 1 unless snapshotting. */
  sentCommit = 0;
  state: ProgressState = ProgressState.StateProbe;
  /** Index of the snapshot being sent (StateSnapshot), else 0. */
  pendingSnapshot = 0;
  /** Heard from in the current CheckQuorum period. */
  recentActive: boolean;
  /** No more appends until an ack (probe) or until the inflight window frees (replicate). */
  msgAppFlowPaused = false;
  inflights: Inflights;
  isLearner: boolean;

  constructor(fields: { match: number; next: number; inflights: Inflights; isLearner: boolean; recentActive?: boolean }) {
    this.match = fields.match;
    this.next = fields.next;
    this.inflights = fields.inflights;
    this.isLearner = fields.isLearner;
    this.recentActive = fields.recentActive ?? false;
  }

  clone(): Progress {
    const p = new Progress({
      match: this.match,
      next: this.next,
      inflights: this.inflights.clone(),
      isLearner: this.isLearner,
      recentActive: this.recentActive,
    });
    p.sentCommit = this.sentCommit;
    p.state = this.state;
    p.pendingSnapshot = this.pendingSnapshot;
    p.msgAppFlowPaused = this.msgAppFlowPaused;
    return p;
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === ProgressState.StateSnapshot) {
      // A snapshot that was applied moves the follower's log at least up to it.
      const pending = this.pendingSnapshot;
      this.resetState(ProgressState.StateProbe);
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState(ProgressState.StateProbe);
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.StateReplicate);
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.StateSnapshot);
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
  }

  /** Updates flow control after sending a MsgApp with `entries` entries of `bytes` payload. */
  sentEntries(entries: number, bytes: number): void {
    if (this.state === ProgressState.StateReplicate) {
      if (entries > 0) {
        this.next += entries;
        this.inflights.add(this.next - 1, bytes);
      }
      this.msgAppFlowPaused = this.inflights.full();
    } else if (this.state === ProgressState.StateProbe) {
      if (entries > 0) this.msgAppFlowPaused = true;
    } else {
      throw new Error(`raft: sending append in unhandled state ${ProgressState[this.state]}`);
    }
  }

  /** Whether sending a commit index of `index` would tell the follower something new. */
  canBumpCommit(index: number): boolean {
    return index > this.sentCommit && this.sentCommit < this.next - 1;
  }

  recordSentCommit(commit: number): void {
    this.sentCommit = commit;
  }

  /** An ack for index n; returns false when it is stale. */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /**
   * A rejection of the append after `rejected`, with the follower's hint of where the
   * logs may match. Returns false when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.StateReplicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  isPaused(): boolean {
    return this.state === ProgressState.StateSnapshot || this.msgAppFlowPaused;
  }

  toString(): string {
    let s = `${ProgressState[this.state]} match=${this.match} next=${this.next}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (this.pendingSnapshot > 0) s += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) s += ' inactive';
    const n = this.inflights.countInflight();
    if (n > 0) s += ` inflight=${n}${this.inflights.full() ? '[full]' : ''}`;
    return s;
  }
}
