// Lease service: grant and revoke go through the proposal pipeline; keep-alive and time-to-live
// are answered by this member's clock (the lease expiry driver), as etcd's leader answers them.
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { etcdserverpb } from '../../api';
import type { ApplyValue } from '../apply';
import type { ServerMetrics } from '../metrics';
import type { Proposal } from '../proposals';
import { unary } from '../unary';

export interface LeaseCore {
  readonly metrics: ServerMetrics;
  header(revision?: number): etcdserverpb.ResponseHeader;
  proposeWrite(proposal: Proposal): Promise<ApplyValue>;
  readBarrier(): Promise<void>;
  /** a fresh lease ID, positive as etcd makes them */
  newLeaseId(): bigint;
  /** granted TTL of a live lease, or undefined when it does not exist */
  grantedTtl(id: bigint): number | undefined;
  /** seconds left before the lease expires, or undefined when it does not exist */
  remainingTtl(id: bigint): number | undefined;
  /** pushes the expiry back by the granted TTL; returns the TTL, or undefined when the lease is gone or expired */
  renew(id: bigint): number | undefined;
  leaseKeys(id: bigint): Buffer[];
  leaseIds(): bigint[];
}

export function leaseService(core: LeaseCore): UntypedServiceImplementation {
  const handle = <Req, Res>(method: string, fn: (req: Req) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.Lease', method, fn);
  const impl: etcdserverpb.LeaseServer = {
    leaseGrant: handle('LeaseGrant', async (req: etcdserverpb.LeaseGrantRequest) => {
      const request = { TTL: req.TTL, ID: req.ID === 0n ? core.newLeaseId() : req.ID };
      const value = await core.proposeWrite({ leaseGrant: request });
      if (value.kind !== 'leaseGrant') throw new Error(`etcdserver: applied ${value.kind} where leaseGrant was proposed`);
      return { header: core.header(value.revision), ID: value.id, TTL: BigInt(value.ttl), error: '' };
    }),
    leaseRevoke: handle('LeaseRevoke', async (req: etcdserverpb.LeaseRevokeRequest) => {
      const value = await core.proposeWrite({ leaseRevoke: { ID: req.ID } });
      return { header: core.header(value.kind === 'leaseRevoke' ? value.revision : undefined) };
    }),
    leaseKeepAlive(call: ServerDuplexStream<etcdserverpb.LeaseKeepAliveRequest, etcdserverpb.LeaseKeepAliveResponse>) {
      call.on('data', (req: etcdserverpb.LeaseKeepAliveRequest) => {
        // A lease that is gone answers TTL 0, as etcd does, and the stream goes on.
        const ttl = core.renew(req.ID) ?? 0;
        if (!call.writableEnded) call.write({ header: core.header(), ID: req.ID, TTL: BigInt(ttl) });
      });
      call.on('end', () => call.end());
      call.on('error', () => call.end());
    },
    leaseTimeToLive: handle('LeaseTimeToLive', async (req: etcdserverpb.LeaseTimeToLiveRequest) => {
      await core.readBarrier();
      const granted = core.grantedTtl(req.ID);
      const remaining = core.remainingTtl(req.ID);
      if (granted === undefined || remaining === undefined) {
        return { header: core.header(), ID: req.ID, TTL: -1n, grantedTTL: 0n, keys: [] };
      }
      return {
        header: core.header(),
        ID: req.ID,
        TTL: BigInt(remaining),
        grantedTTL: BigInt(granted),
        keys: req.keys ? core.leaseKeys(req.ID) : [],
      };
    }),
    leaseLeases: handle('LeaseLeases', async () => {
      await core.readBarrier();
      return { header: core.header(), leases: core.leaseIds().map((ID) => ({ ID })) };
    }),
  };
  return impl;
}

