// Quorum arithmetic over sets of voters, knowing nothing of messages: which index a
// quorum has acknowledged, and whether a vote is won.

/** Stands for "no constraint" (an empty config commits everything). */
export const NoLimitIndex = Number.MAX_SAFE_INTEGER;

export enum VoteResult {
  VotePending = 1,
  VoteLost = 2,
  VoteWon = 3,
}

/** Looks up the index a voter has acknowledged; undefined when unknown. */
export type AckedIndexer = (id: bigint) => number | undefined;

export type MajorityConfig = Set<bigint>;

/** incoming (index 0) and outgoing (index 1, empty when not joint). */
export type JointConfig = [MajorityConfig, MajorityConfig];
