// Membership changes through raft, with etcd's checks and errors (etcdserver/server.go AddMember,
// RemoveMember, UpdateMember, PromoteMember): each one is a conf change proposed to raft that
// resolves once this member has applied it.
import { ConfChangeType } from '../raft';
import { etcdError } from '../api';
import { confChangeContext } from './conf-change';
import { Member, computeMemberId } from './membership';
import type { ServerMetrics } from './metrics';
import type { RaftReplicationLog } from './raft-node';
import { checkAddConnected, checkAddVoter, checkPromote, checkRemove, checkRemoveConnected, type PeerActivity } from './reconfig-check';

export interface ClusterMembersCore {
  members(): Member[];
  log: RaftReplicationLog;
  memberId: bigint;
  clusterToken: string;
  /** a fresh request ID, the conf change's ID */
  newId(): bigint;
  now(): number;
  /** Resolves once the peer transport is open to the members (a lone member opens it when one is added). */
  peersReady(): Promise<void>;
  /** Since when this member's stream to peer `id` has been active (undefined while it is not). */
  peerActiveSince(id: bigint): Date | undefined;
  metrics: Pick<ServerMetrics, 'learnerPromoteSuccesses' | 'learnerPromoteFailures'>;
  /** Hands a promotion to the leader, which alone knows whether the learner is in sync. */
  forwardPromote(id: bigint): Promise<Member[]>;
}

/** etcd promotes a learner only when its log is within 90% of the leader's. */
const learnerReadyFraction = 0.9;

export class ClusterMembers {
  constructor(private readonly core: ClusterMembersCore) {}

  /** Adds a member (a learner when asked) that has not started yet; resolves with it once applied. */
  async add(peerUrls: string[], isLearner: boolean): Promise<Member> {
    const members = this.core.members();
    this.checkUrlsFree(members, peerUrls, 0n);
    // etcd's NewMember for an added member: the ID also hashes the time, so re-adding gets a new ID.
    const id = computeMemberId(peerUrls, `${this.core.clusterToken}${Math.floor(this.core.now() / 1000)}`);
    if (members.some((m) => m.id === id)) throw etcdError('memberExist');
    if (!isLearner) checkAddVoter(members);
    checkAddConnected(members, this.peerActivity());
    const member: Member = { id, name: '', peerUrls: [...peerUrls].sort(), clientUrls: [], isLearner };
    await this.core.log.proposeConfChange({
      id: this.core.newId(),
      type: isLearner ? ConfChangeType.ConfChangeAddLearnerNode : ConfChangeType.ConfChangeAddNode,
      nodeId: id,
      context: confChangeContext(member),
    });
    await this.core.peersReady();
    return member;
  }

  async remove(id: bigint): Promise<void> {
    const member = this.find(id);
    checkRemove(this.core.members(), id);
    checkRemoveConnected(this.core.members(), id, this.peerActivity());
    await this.core.log.proposeConfChange({ id: this.core.newId(), type: ConfChangeType.ConfChangeRemoveNode, nodeId: member.id, context: new Uint8Array(0) });
  }

  async update(id: bigint, peerUrls: string[]): Promise<void> {
    const member = this.find(id);
    this.checkUrlsFree(this.core.members(), peerUrls, id);
    await this.core.log.proposeConfChange({
      id: this.core.newId(),
      type: ConfChangeType.ConfChangeUpdateNode,
      nodeId: id,
      context: confChangeContext({ ...member, peerUrls: [...peerUrls].sort() }),
    });
  }

  /** Promotes a learner that is in sync with the leader; a follower forwards the request to the leader. */
  async promote(id: bigint): Promise<Member[]> {
    const member = this.find(id);
    if (!member.isLearner) throw etcdError('memberNotLearner');
    if (!this.core.log.isLeader()) return this.core.forwardPromote(id);
    // Counted by the leader, as etcd's learner_promote_successes/failures are.
    try {
      const members = await this.promoteAsLeader(member);
      this.core.metrics.learnerPromoteSuccesses.inc();
      return members;
    } catch (err) {
      this.core.metrics.learnerPromoteFailures.inc({ Reason: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  private async promoteAsLeader(member: Member): Promise<Member[]> {
    const log = this.core.log;
    const progress = log.progress(member.id);
    const leaderMatch = log.progress(this.core.memberId)?.match ?? log.lastIndex();
    if (progress !== undefined && progress.match < leaderMatch * learnerReadyFraction) throw etcdError('learnerNotReady');
    checkPromote(this.core.members());
    await log.proposeConfChange({ id: this.core.newId(), type: ConfChangeType.ConfChangeAddNode, nodeId: member.id, context: confChangeContext({ ...member, isLearner: false }) });
    return this.core.members();
  }

  private peerActivity(): PeerActivity {
    return { self: this.core.memberId, activeSince: (id) => this.core.peerActiveSince(id), now: () => this.core.now() };
  }

  private find(id: bigint): Member {
    const member = this.core.members().find((m) => m.id === id);
    if (member === undefined) throw etcdError('memberNotFound');
    return member;
  }

  private checkUrlsFree(members: Member[], peerUrls: string[], except: bigint): void {
    const taken = new Set(members.filter((m) => m.id !== except).flatMap((m) => m.peerUrls));
    if (peerUrls.some((u) => taken.has(u))) throw etcdError('peerURLExist');
  }
}
