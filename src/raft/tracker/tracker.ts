// The leader's view of the group: the active configuration, one Progress per member,
// and the votes of the current election.
import {
  JointConfig,
  VoteResult,
  jointCommittedIndex,
  jointIds,
  jointString,
  jointVoteResult,
  majorityString,
} from '../quorum';
import { ConfState } from '../raftpb';
import { Progress } from './progress';

function compareIds(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(ids: Iterable<bigint>): bigint[] {
  return [...ids].sort(compareIds);
}

export class TrackerConfig {
  voters: JointConfig = [new Set(), new Set()];
  /** Set when the joint config should be left by raft itself once applied. */
  autoLeave = false;
  /** Learners; never in voters[0] or voters[1]. */
  learners = new Set<bigint>();
  /**
   * Members demoted to learner while joint: they stay voters in voters[1] until the
   * joint config is left, then join learners.
   */
  learnersNext = new Set<bigint>();

  clone(): TrackerConfig {
    const c = new TrackerConfig();
    c.voters = [new Set(this.voters[0]), new Set(this.voters[1])];
    c.autoLeave = this.autoLeave;
    c.learners = new Set(this.learners);
    c.learnersNext = new Set(this.learnersNext);
    return c;
  }

  toString(): string {
    let s = `voters=${jointString(this.voters)}`;
    if (this.learners.size > 0) s += ` learners=${majorityString(this.learners)}`;
    if (this.learnersNext.size > 0) s += ` learners_next=${majorityString(this.learnersNext)}`;
    if (this.autoLeave) s += ' autoleave';
    return s;
  }
}

export type ProgressMap = Map<bigint, Progress>;

export class ProgressTracker {
  config = new TrackerConfig();
  progress: ProgressMap = new Map();
  votes = new Map<bigint, boolean>();
  readonly maxInflight: number;
  readonly maxInflightBytes: number;
  private sortedIds: bigint[] | undefined;

  constructor(maxInflight: number, maxInflightBytes: number) {
    this.maxInflight = maxInflight;
    this.maxInflightBytes = maxInflightBytes;
  }

  /** Installs a config and progress map produced by confchange. */
  setConfig(config: TrackerConfig, progress: ProgressMap): void {
    this.config = config;
    this.progress = progress;
    this.sortedIds = undefined;
  }

  confState(): ConfState {
    return {
      voters: sorted(this.config.voters[0]),
      votersOutgoing: sorted(this.config.voters[1]),
      learners: sorted(this.config.learners),
      learnersNext: sorted(this.config.learnersNext),
      autoLeave: this.config.autoLeave,
    };
  }

  /** True when the only voter is this one (and no joint config). */
  isSingleton(): boolean {
    return this.config.voters[0].size === 1 && this.config.voters[1].size === 0;
  }

  /** The largest index a quorum of voters has in its log. */
  committed(): number {
    return jointCommittedIndex(this.config.voters, this.matchOf);
  }

  private readonly matchOf = (id: bigint): number | undefined => this.progress.get(id)?.match;

  /** Members in ascending ID order, so every run visits them the same way. */
  ids(): bigint[] {
    if (this.sortedIds === undefined) this.sortedIds = sorted(this.progress.keys());
    return this.sortedIds;
  }

  visit(f: (id: bigint, pr: Progress) => void): void {
    for (const id of this.ids()) {
      const pr = this.progress.get(id);
      if (pr !== undefined) f(id, pr);
    }
  }

  /** Whether a quorum of voters was heard from recently (CheckQuorum). */
  quorumActive(): boolean {
    const votes = new Map<bigint, boolean>();
    this.visit((id, pr) => {
      if (!pr.isLearner) votes.set(id, pr.recentActive);
    });
    return jointVoteResult(this.config.voters, votes) === VoteResult.VoteWon;
  }

  voterNodes(): bigint[] {
    return sorted(jointIds(this.config.voters));
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  /** Records the first vote from id; later ones (duplicates) are ignored. */
  recordVote(id: bigint, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const [id, pr] of this.progress) {
      if (pr.isLearner) continue;
      const v = this.votes.get(id);
      if (v === undefined) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config.voters, this.votes) };
  }
}

