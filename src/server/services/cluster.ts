// Cluster service: the member list and, on a member that runs raft, membership changes (a single
// member without raft refuses them with an error that says so).
import { status as Status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError, etcdError, etcdserverpb } from '../../api';
import type { Member } from '../membership';
import type { ServerMetrics } from '../metrics';
import { unary } from '../unary';

export interface ClusterCore {
  readonly metrics: ServerMetrics;
  header(revision?: number): etcdserverpb.ResponseHeader;
  readBarrier(): Promise<void>;
  members(): Member[];
  /** Membership changes through raft; absent on a single member that runs without raft. */
  changes?: ClusterChanges;
}

export interface ClusterChanges {
  add(peerUrls: string[], isLearner: boolean): Promise<Member>;
  remove(id: bigint): Promise<void>;
  update(id: bigint, peerUrls: string[]): Promise<void>;
  promote(id: bigint): Promise<void>;
}

export function memberToWire(m: Member): etcdserverpb.Member {
  return { ID: m.id, name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner };
}

function notYet(): never {
  throw new EtcdError(Status.UNIMPLEMENTED, 'etcdserver: membership changes are not supported by this single-member cairn yet');
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
  const changes = (): ClusterChanges => core.changes ?? notYet();
  const handle = <Req, Res>(method: string, fn: (req: Req) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.Cluster', method, fn);
  const impl: etcdserverpb.ClusterServer = {
    memberList: handle('MemberList', async (req: etcdserverpb.MemberListRequest) => {
      if (req.linearizable) await core.readBarrier();
      return { header: core.header(), members: core.members().map(memberToWire) };
    }),
    memberAdd: handle('MemberAdd', async (req: etcdserverpb.MemberAddRequest) => {
      const member = await changes().add(checkUrls(req.peerURLs), req.isLearner);
      return { header: core.header(), member: memberToWire(member), members: core.members().map(memberToWire) };
    }),
    memberRemove: handle('MemberRemove', async (req: etcdserverpb.MemberRemoveRequest) => {
      await changes().remove(req.ID);
      return { header: core.header(), members: core.members().map(memberToWire) };
    }),
    memberUpdate: handle('MemberUpdate', async (req: etcdserverpb.MemberUpdateRequest) => {
      await changes().update(req.ID, checkUrls(req.peerURLs));
      return { header: core.header(), members: core.members().map(memberToWire) };
    }),
    memberPromote: handle('MemberPromote', async (req: etcdserverpb.MemberPromoteRequest) => {
      await changes().promote(req.ID);
      return { header: core.header(), members: core.members().map(memberToWire) };
    }),
  };
  return impl;
}
