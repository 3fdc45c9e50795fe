export { NoLimitIndex, VoteResult } from './quorum';
export type { AckedIndexer, MajorityConfig, JointConfig } from './quorum';
export { majorityCommittedIndex, majorityVoteResult, majorityString } from './majority';
export { jointCommittedIndex, jointVoteResult, jointIds, jointString } from './joint';
