// etcd's strict reconfiguration checks (--strict-reconfig-check, on by default; RaftCluster's
// IsReadyToAddVotingMember, IsReadyToPromoteMember, IsReadyToRemoveVotingMember): a change that
// would leave fewer started voting members than a quorum of the new voting set is refused with
// `etcdserver: re-configuration failed due to not enough started members`. A member counts as
// started once it has published its name. Learners never count and are never checked.
import { etcdError } from '../api';
import type { Member } from './membership';

const started = (m: Member): boolean => m.name !== '';
const quorum = (voters: number): number => Math.floor(voters / 2) + 1;

function refuseUnless(ready: boolean): void {
  if (!ready) throw etcdError('memberNotEnoughStarted');
}

/** Adding a voter (not yet started) to `members`. */
export function checkAddVoter(members: readonly Member[]): void {
  const voters = members.filter((m) => !m.isLearner);
  const startedVoters = voters.filter(started).length;
  // A one-member cluster may always take a second voter (etcd's special case).
  if (startedVoters === 1 && voters.length === 1) return;
  refuseUnless(startedVoters >= quorum(voters.length + 1));
}

/** Promoting a learner, which counts as started. */
export function checkPromote(members: readonly Member[]): void {
  const voters = members.filter((m) => !m.isLearner);
  refuseUnless(voters.filter(started).length + 1 >= quorum(voters.length + 1));
}

/** Removing member `id` (nothing to check for a learner). */
export function checkRemove(members: readonly Member[], id: bigint): void {
  if (members.find((m) => m.id === id)?.isLearner) return;
  const rest = members.filter((m) => !m.isLearner && m.id !== id);
  refuseUnless(rest.filter(started).length >= quorum(rest.length));
}
