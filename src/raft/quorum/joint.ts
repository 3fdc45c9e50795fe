import { AckedIndexer, JointConfig, VoteResult } from './quorum';
import { majorityCommittedIndex, majorityString, majorityVoteResult } from './majority';

export function jointIds(c: JointConfig): Set<bigint> {
  const ids = new Set(c[0]);
  for (const id of c[1]) ids.add(id);
  return ids;
}

export function jointString(c: JointConfig): string {
  return c[1].size > 0 ? `${majorityString(c[0])}&&${majorityString(c[1])}` : majorityString(c[0]);
}

/** Committed in a joint config means committed in both halves. */
export function jointCommittedIndex(c: JointConfig, acked: AckedIndexer): number {
  return Math.min(majorityCommittedIndex(c[0], acked), majorityCommittedIndex(c[1], acked));
}

/** Won only if both halves win; lost if either loses. */
export function jointVoteResult(c: JointConfig, votes: Map<bigint, boolean>): VoteResult {
  const r1 = majorityVoteResult(c[0], votes);
  const r2 = majorityVoteResult(c[1], votes);
  if (r1 === r2) return r1;
  if (r1 === VoteResult.VoteLost || r2 === VoteResult.VoteLost) return VoteResult.VoteLost;
  return VoteResult.VotePending;
}
