// The workloads, named as etcd's own `benchmark` tool names them. Each builds the operation one
// simulated client runs in a loop; the same code drives cairn and real etcd.
import { Client, Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import { etcdserverpb } from '../../src/api';

export type WorkloadName = 'put' | 'range-linearizable' | 'range-serializable' | 'txn-put' | 'watch-latency' | 'lease-keepalive' | 'fill';

export const WORKLOADS: readonly WorkloadName[] = ['put', 'range-linearizable', 'range-serializable', 'txn-put', 'watch-latency', 'lease-keepalive'];

export interface WorkloadParams {
  readonly keySize: number;
  readonly valueSize: number;
  readonly keySpace: number;
  readonly sequentialKeys: boolean;
  /** Watchers per connection (watch-latency). */
  readonly watchers: number;
}

/** Keys one `fill` operation writes: one txn of puts, well under the servers' default --max-txn-ops (128). */
export const FILL_KEYS_PER_TXN = 100;

/** One client's operation: resolves when the server has answered (or the event arrived). */
export type Operation = (n: number) => Promise<void>;

export interface PreparedWorkload {
  readonly op: Operation;
  close(): void;
}

export function keyFor(n: number, params: WorkloadParams, random: () => number): Buffer {
  const index = params.sequentialKeys ? n % params.keySpace : Math.floor(random() * params.keySpace);
  const key = Buffer.alloc(params.keySize, 0x30);
  const digits = String(index);
  key.write(digits.slice(-params.keySize), Math.max(0, params.keySize - digits.length));
  return key;
}

/** A unary call that has not been answered by then counts as an error rather than stalling its client. */
const UNARY_DEADLINE_MS = 30_000;

function unary<Req, Res>(channel: Client, method: { path: string; requestSerialize: (v: Req) => Buffer; responseDeserialize: (b: Buffer) => Res }, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    channel.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, req, new Metadata(), { deadline: Date.now() + UNARY_DEADLINE_MS },
      (err, res) => (err || !res ? reject(err) : resolve(res)));
  });
}

export async function prepare(name: WorkloadName, channel: Client, params: WorkloadParams, random: () => number): Promise<PreparedWorkload> {
  const value = Buffer.alloc(params.valueSize, 0x61);
  switch (name) {
    case 'put':
      return { op: (n) => unary(channel, etcdserverpb.KVService.put, { key: keyFor(n, params, random), value, lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false }).then(() => undefined), close: () => undefined };
    case 'range-linearizable':
    case 'range-serializable': {
      const serializable = name === 'range-serializable';
      return {
        op: (n) => unary(channel, etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ key: keyFor(n, params, random), serializable })).then(() => undefined),
        close: () => undefined,
      };
    }
    case 'txn-put':
      return {
        op: (n) => unary(channel, etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
          success: [{ requestPut: { key: keyFor(n, params, random), value } }],
        })).then(() => undefined),
        close: () => undefined,
      };
    case 'fill':
      return {
        op: (n) => unary(channel, etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
          success: Array.from({ length: FILL_KEYS_PER_TXN }, (_, i) => ({ requestPut: { key: keyFor(n * FILL_KEYS_PER_TXN + i, params, random), value } })),
        })).then(() => undefined),
        close: () => undefined,
      };
    case 'watch-latency':
      return prepareWatchLatency(channel, params, value, random);
    case 'lease-keepalive':
      return prepareKeepAlive(channel);
  }
}

/** Time from a put to the arrival of its event on every watcher of this connection. */
async function prepareWatchLatency(channel: Client, params: WorkloadParams, value: Buffer, random: () => number): Promise<PreparedWorkload> {
  const prefix = Buffer.from(`/watch-bench/${Math.floor(random() * 1e9)}/`);
  const streams: ClientDuplexStream<etcdserverpb.WatchRequest, etcdserverpb.WatchResponse>[] = [];
  const waiting = new Map<string, { remaining: number; resolve: () => void }>();
  for (let i = 0; i < params.watchers; i++) {
    const stream = channel.makeBidiStreamRequest(etcdserverpb.WatchService.watch.path, etcdserverpb.WatchService.watch.requestSerialize, etcdserverpb.WatchService.watch.responseDeserialize);
    const created = new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.on('data', (res: etcdserverpb.WatchResponse) => {
      for (const event of res.events) {
        const key = event.kv?.key.toString() ?? '';
        const entry = waiting.get(key);
        if (entry && --entry.remaining === 0) { waiting.delete(key); entry.resolve(); }
      }
    });
    stream.on('error', () => undefined);
    stream.write({ createRequest: { key: prefix, rangeEnd: prefixEndOf(prefix), startRevision: 0n, progressNotify: false, filters: [], prevKv: false, watchId: 0n, fragment: false } });
    await created;
    streams.push(stream);
  }
  return {
    op: (n) => {
      const key = Buffer.concat([prefix, Buffer.from(String(n))]);
      const arrived = new Promise<void>((resolve) => waiting.set(key.toString(), { remaining: streams.length, resolve }));
      return unary(channel, etcdserverpb.KVService.put, { key, value, lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false }).then(() => arrived);
    },
    close: () => { for (const s of streams) s.cancel(); },
  };
}

async function prepareKeepAlive(channel: Client): Promise<PreparedWorkload> {
  const grant = await unary(channel, etcdserverpb.LeaseService.leaseGrant, { TTL: 60n, ID: 0n });
  const stream = channel.makeBidiStreamRequest(etcdserverpb.LeaseService.leaseKeepAlive.path, etcdserverpb.LeaseService.leaseKeepAlive.requestSerialize, etcdserverpb.LeaseService.leaseKeepAlive.responseDeserialize);
  const queue: (() => void)[] = [];
  stream.on('data', () => queue.shift()?.());
  stream.on('error', () => undefined);
  return {
    op: () => new Promise<void>((resolve) => { queue.push(resolve); stream.write({ ID: grant.ID }); }),
    close: () => stream.cancel(),
  };
}

function prefixEndOf(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1] += 1;
  return end;
}
