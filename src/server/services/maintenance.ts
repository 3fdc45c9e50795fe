// Maintenance service: status, hashes, alarms, defragment, and the database snapshot stream.
import { status as Status, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError, etcdError, etcdserverpb } from '../../api';
import type { ApplyValue } from '../apply';
import { toWireError } from '../errors';
import type { MethodCounts } from '../grpc-metrics';
import type { ServerMetrics } from '../metrics';
import type { Proposal } from '../proposals';
import type { SnapshotImage } from '../snapshot-image';
import { snapshotChunks } from '../snapshot-stream';
import { unary } from '../unary';

export interface MaintenanceCore {
  readonly metrics: ServerMetrics;
  readonly memberId: bigint;
  header(revision?: number): etcdserverpb.ResponseHeader;
  propose(proposal: Proposal): Promise<ApplyValue>;
  readBarrier(): Promise<void>;
  status(): Omit<etcdserverpb.StatusResponse, 'header'>;
  hashKV(revision: number): { hash: number; compactRevision: number; hashRevision: number; revision: number };
  hash(): { hash: number; revision: number };
  defragment(): Promise<void>;
  /** A consistent image of the database, written to a temporary file that `release` removes. */
  snapshotImage(): Promise<SnapshotImage>;
  /** Hands leadership to `target` and resolves once it leads; absent on a single member without raft. */
  moveLeader?(target: bigint): Promise<void>;
}

export function maintenanceService(core: MaintenanceCore): UntypedServiceImplementation {
  const handle = <Req, Res>(method: string, fn: (req: Req) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.Maintenance', method, fn);
  const snapshotCounts = core.metrics.grpc.method('etcdserverpb.Maintenance', 'Snapshot', 'server_stream');
  const impl: etcdserverpb.MaintenanceServer = {
    alarm: handle('Alarm', async (req: etcdserverpb.AlarmRequest) => {
      const value = await core.propose({ alarm: req });
      if (value.kind !== 'alarm') throw new Error(`etcdserver: applied ${value.kind} where alarm was proposed`);
      // etcd's applier answers Alarm without a header (etcdctl prints `{}` for no alarms).
      return { header: undefined, alarms: value.alarms };
    }),
    status: handle('Status', async () => ({ header: core.header(), ...core.status() })),
    defragment: handle('Defragment', async () => {
      await core.defragment();
      return { header: core.header() };
    }),
    hash: handle('Hash', async () => {
      await core.readBarrier();
      const { hash, revision } = core.hash();
      return { header: core.header(revision), hash };
    }),
    hashKv: handle('HashKV', async (req: etcdserverpb.HashKVRequest) => {
      await core.readBarrier();
      const r = core.hashKV(Number(req.revision));
      return { header: core.header(r.revision), hash: r.hash, compactRevision: BigInt(r.compactRevision), hashRevision: BigInt(r.hashRevision) };
    }),
    snapshot(call: ServerWritableStream<etcdserverpb.SnapshotRequest, etcdserverpb.SnapshotResponse>) {
      const startedAt = snapshotCounts.start();
      snapshotCounts.received++;
      sendSnapshot(core, call, snapshotCounts).then(
        () => snapshotCounts.handle(Status.OK, startedAt),
        (err: unknown) => {
          const wire = toWireError(err);
          snapshotCounts.handle(wire.code, startedAt);
          call.emit('error', wire);
        },
      );
    },
    moveLeader: handle('MoveLeader', async (req: etcdserverpb.MoveLeaderRequest) => {
      if (core.moveLeader !== undefined) await core.moveLeader(req.targetID);
      // A one-member cluster has no other member to hand leadership to; moving it to itself is done.
      else if (req.targetID !== core.memberId) throw etcdError('badLeaderTransferee');
      return { header: core.header() };
    }),
    downgrade: handle('Downgrade', async () => {
      throw new EtcdError(Status.UNIMPLEMENTED, 'etcdserver: downgrade is not supported by etcd 3.4 servers');
    }),
  };
  return impl;
}

async function sendSnapshot(core: MaintenanceCore, call: ServerWritableStream<etcdserverpb.SnapshotRequest, etcdserverpb.SnapshotResponse>, counts: MethodCounts): Promise<void> {
  const image = await core.snapshotImage();
  try {
    for await (const chunk of snapshotChunks(image.path, image.size)) {
      if (call.cancelled) return;
      const response: etcdserverpb.SnapshotResponse = { header: undefined, remainingBytes: BigInt(chunk.remainingBytes), blob: chunk.blob, version: '' };
      const more = call.write(response);
      counts.sent++;
      if (!more) await new Promise((resolve) => call.once('drain', resolve));
    }
    call.end();
  } finally {
    await image.release();
  }
}
