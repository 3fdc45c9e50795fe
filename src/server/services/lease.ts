// Lease service: grant and revoke go through the proposal pipeline; keep-alive and time-to-live
// are answered by the leader's lease expiry driver (a follower asks the leader), as etcd's are.
import { status as Status, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError, etcdserverpb } from '../../api';
import type { ApplyValue } from '../apply';
import type { CallCredentials } from '../auth';
import { toWireError } from '../errors';
import type { ServerMetrics } from '../metrics';
import type { LeaseTimeToLive } from '../peer-api';
import type { Proposal } from '../proposals';
import { unary } from '../unary';

export interface LeaseCore {
  readonly metrics: ServerMetrics;
  header(revision?: number): etcdserverpb.ResponseHeader;
  /** apply checks the proposal again as the call's caller */
  proposeWrite(proposal: Proposal, call?: CallCredentials): Promise<ApplyValue>;
  readBarrier(): Promise<void>;
  /** a fresh lease ID, positive as etcd makes them */
  newLeaseId(): bigint;
  /** a live lease's time to live as the leader sees it (a follower asks the leader), or undefined when it does not exist */
  timeToLive(id: bigint, withKeys: boolean): Promise<LeaseTimeToLive | undefined>;
  /** pushes the expiry back by the granted TTL (on the leader, forwarded there by a follower); the TTL, or undefined when the lease is gone or expired */
  renew(id: bigint): Promise<number | undefined>;
  leaseIds(): bigint[];
}

export function leaseService(core: LeaseCore): UntypedServiceImplementation {
  const handle = <Req, Res>(method: string, fn: (req: Req, call: CallCredentials) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.Lease', method, fn);
  const keepAliveCounts = core.metrics.grpc.method('etcdserverpb.Lease', 'LeaseKeepAlive', 'bidi_stream');
  const impl: etcdserverpb.LeaseServer = {
    leaseGrant: handle('LeaseGrant', async (req: etcdserverpb.LeaseGrantRequest) => {
      const request = { TTL: req.TTL, ID: req.ID === 0n ? core.newLeaseId() : req.ID };
      const value = await core.proposeWrite({ leaseGrant: request });
      if (value.kind !== 'leaseGrant') throw new Error(`etcdserver: applied ${value.kind} where leaseGrant was proposed`);
      return { header: core.header(value.revision), ID: value.id, TTL: BigInt(value.ttl), error: '' };
    }),
    leaseRevoke: handle('LeaseRevoke', async (req: etcdserverpb.LeaseRevokeRequest, call) => {
      const value = await core.proposeWrite({ leaseRevoke: { ID: req.ID } }, call);
      return { header: core.header(value.kind === 'leaseRevoke' ? value.revision : undefined) };
    }),
    leaseKeepAlive(call: ServerDuplexStream<etcdserverpb.LeaseKeepAliveRequest, etcdserverpb.LeaseKeepAliveResponse>) {
      const startedAt = keepAliveCounts.start();
      // Counted once, with the code etcd's handler returns: the renewal's error, "no leader" (Unavailable)
      // when the client's context ends first, OK when the status goes out first (the client closed its side).
      let ended = false;
      const handled = (code: Status) => {
        if (ended) return;
        ended = true;
        keepAliveCounts.handle(code, startedAt);
      };
      call.on('cancelled', () => handled(Status.UNAVAILABLE));
      call.on('finish', () => handled(Status.OK));
      // Answers go out in the order of the requests, one renewal at a time, as etcd's stream loop does.
      let previous = Promise.resolve();
      call.on('data', (req: etcdserverpb.LeaseKeepAliveRequest) => {
        keepAliveCounts.received++;
        previous = previous.then(async () => {
          // A lease that is gone answers TTL 0, as etcd does, and the stream goes on.
          const ttl = (await core.renew(req.ID)) ?? 0;
          if (call.writableEnded) return;
          keepAliveCounts.sent++;
          call.write({ header: core.header(), ID: req.ID, TTL: BigInt(ttl) });
        }).catch((err: unknown) => {
          // A renewal the leader could not be reached for ends the stream with the error, as etcd's does.
          if (call.writableEnded) return;
          const wire = toWireError(err);
          handled(wire.code);
          call.emit('error', wire);
        });
      });
      // The client closed its side: the renewals it sent are answered first, as etcd's loop answers
      // each request before it reads the end.
      call.on('end', () => {
        void previous.then(() => {
          if (!call.destroyed && !call.writableEnded) call.end();
        });
      });
      call.on('error', (err: Error) => {
        if (err instanceof EtcdError) handled(err.code);
        call.end();
      });
    },
    leaseTimeToLive: handle('LeaseTimeToLive', async (req: etcdserverpb.LeaseTimeToLiveRequest) => {
      const found = await core.timeToLive(req.ID, req.keys);
      // A lease that is gone answers TTL -1, as etcd does.
      if (found === undefined) return { header: core.header(), ID: req.ID, TTL: -1n, grantedTTL: 0n, keys: [] };
      return { header: core.header(), ID: req.ID, TTL: BigInt(found.TTL), grantedTTL: BigInt(found.grantedTTL), keys: found.keys };
    }),
    leaseLeases: handle('LeaseLeases', async () => {
      await core.readBarrier();
      return { header: core.header(), leases: core.leaseIds().map((ID) => ({ ID })) };
    }),
  };
  return impl;
}

