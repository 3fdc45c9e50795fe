// etcd's strict reconfiguration checks (--strict-reconfig-check, on by default; RaftCluster's
// IsReadyToAddVotingMember, IsReadyToPromoteMember, IsReadyToRemoveVotingMember): a change that
// would leave fewer started voting members than a quorum of the new voting set is refused with
// `etcdserver: re-configuration failed due to not enough started members`. A member counts as
// started once it has published its name. Learners never count and are never checked.
// With them, etcd's health checks (mayAddMember, mayRemoveMember): the member asked must have been
// connected, for etcd's HealthInterval, to every voter before an add, and to enough voters that the
// rest keep a quorum before a voter's removal; else `etcdserver: unhealthy cluster`.
import { etcdError } from '../api';
import type { Member } from './membership';

/** etcd's HealthInterval: a peer counts as connected once its stream has been up this long. */
export const healthIntervalMs = 5000;

/** Which peers this member is connected to, and since when. */
export interface PeerActivity {
  self: bigint;
  /** since when the stream to `id` has been active; undefined while it is not */
  activeSince(id: bigint): Date | undefined;
  now(): number;
}

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

/** Voters that are this member or have been connected to it for the health interval. */
function votersConnected(members: readonly Member[], peers: PeerActivity): number {
  const since = peers.now() - healthIntervalMs;
  return members.filter((m) => !m.isLearner).filter((m) => {
    if (m.id === peers.self) return true;
    const active = peers.activeSince(m.id);
    return active !== undefined && active.getTime() <= since;
  }).length;
}

/** Adding any member (a learner too): this member must have been connected to every voter. */
export function checkAddConnected(members: readonly Member[], peers: PeerActivity): void {
  if (votersConnected(members, peers) !== members.filter((m) => !m.isLearner).length) throw etcdError('unhealthy');
}

/**
 * Removing a voter: one this member is not connected to is not part of the active quorum and may go;
 * otherwise the voters connected, less the one removed, must stay a quorum of the rest.
 */
export function checkRemoveConnected(members: readonly Member[], id: bigint, peers: PeerActivity): void {
  if (members.find((m) => m.id === id)?.isLearner) return;
  if (id !== peers.self && peers.activeSince(id) === undefined) return;
  const voters = members.filter((m) => !m.isLearner).length;
  if (votersConnected(members, peers) - 1 < quorum(voters - 1)) throw etcdError('unhealthy');
}
