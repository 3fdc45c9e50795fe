// Cluster service: the member list and membership changes through raft.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { etcdError, etcdserverpb } from '../../api';
import type { Member } from '../membership';
import type { ServerMetrics } from '../metrics';
import { unary } from '../unary';

export interface ClusterCore {
  readonly metrics: ServerMetrics;
  header(revision?: number): etcdserverpb.ResponseHeader;
  readBarrier(): Promise<void>;
  members(): Member[];
  changes: ClusterChanges;
}

export interface ClusterChanges {
  add(peerUrls: string[], isLearner: boolean): Promise<Member>;
  remove(id: bigint): Promise<void>;
  update(id: bigint, peerUrls: string[]): Promise<void>;
  /** the member list after the promotion (the leader's, when a follower forwarded it) */
  promote(id: bigint): Promise<Member[]>;
}

export function memberToWire(m: Member): etcdserverpb.Member {
  return { ID: m.id, name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner };
}

/** etcd refuses peer URLs that do not parse as URLs. */
function checkUrls(urls: string[]): string[] {
  for (const u of urls) {
    try {
      new URL(u);
    } catch {
      throw etcdError('memberBadURLs');
    }
  }
  return urls;
}

export function clusterService(core: ClusterCore): UntypedServiceImplementation {
  // etcd's cluster server puts no store revision in its headers (etcdctl prints "Revision" : 0).
  const memberHeader = () => core.header(0);
  const handle = <Req, Res>(method: string, fn: (req: Req) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.Cluster', method, fn);
  const impl: etcdserverpb.ClusterServer = {
    memberList: handle('MemberList', async (req: etcdserverpb.MemberListRequest) => {
      if (req.linearizable) await core.readBarrier();
      return { header: memberHeader(), members: core.members().map(memberToWire) };
    }),
    memberAdd: handle('MemberAdd', async (req: etcdserverpb.MemberAddRequest) => {
      const member = await core.changes.add(checkUrls(req.peerURLs), req.isLearner);
      return { header: memberHeader(), member: memberToWire(member), members: core.members().map(memberToWire) };
    }),
    memberRemove: handle('MemberRemove', async (req: etcdserverpb.MemberRemoveRequest) => {
      await core.changes.remove(req.ID);
      return { header: memberHeader(), members: core.members().map(memberToWire) };
    }),
    memberUpdate: handle('MemberUpdate', async (req: etcdserverpb.MemberUpdateRequest) => {
      await core.changes.update(req.ID, checkUrls(req.peerURLs));
      return { header: memberHeader(), members: core.members().map(memberToWire) };
    }),
    memberPromote: handle('MemberPromote', async (req: etcdserverpb.MemberPromoteRequest) => {
      const members = await core.changes.promote(req.ID);
      return { header: memberHeader(), members: members.map(memberToWire) };
    }),
  };
  return impl;
}
