// Cluster service: the member list. Membership changes need consensus between members, which the
// clustering work brings; until then they are refused with an error that says so.
import { status as Status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError, etcdserverpb } from '../../api';
import type { Member } from '../membership';
import type { ServerMetrics } from '../metrics';
import { unary } from '../unary';

export interface ClusterCore {
  readonly metrics: ServerMetrics;
  header(revision?: number): etcdserverpb.ResponseHeader;
  readBarrier(): Promise<void>;
  members(): Member[];
}

export function memberToWire(m: Member): etcdserverpb.Member {
  return { ID: m.id, name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner };
}

function notYet(): never {
  throw new EtcdError(Status.UNIMPLEMENTED, 'etcdserver: membership changes are not supported by this single-member cairn yet');
}

export function clusterService(core: ClusterCore): UntypedServiceImplementation {
  const handle = <Req, Res>(method: string, fn: (req: Req) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.Cluster', method, fn);
  const impl: etcdserverpb.ClusterServer = {
    memberList: handle('MemberList', async (req: etcdserverpb.MemberListRequest) => {
      if (req.linearizable) await core.readBarrier();
      return { header: core.header(), members: core.members().map(memberToWire) };
    }),
    memberAdd: handle('MemberAdd', async () => notYet()),
    memberRemove: handle('MemberRemove', async () => notYet()),
    memberUpdate: handle('MemberUpdate', async () => notYet()),
    memberPromote: handle('MemberPromote', async () => notYet()),
  };
  return impl;
}
