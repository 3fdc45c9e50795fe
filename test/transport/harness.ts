// Transports of test members in one process on 127.0.0.1: what each received, its log lines, its
// metrics, and short timings so that failures and redials happen within a test's patience.
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Transport, type PeerReply, type PeerTlsOptions, type TransportLimits, type TransportTiming } from '../../src/transport';

export const testTiming: Partial<TransportTiming> = {
  dialTimeoutMs: 1000,
  readTimeoutMs: 1500,
  probeIntervalMs: 200,
  backoffInitialMs: 20,
  backoffMaxMs: 200,
  snapshotTimeoutMs: 5000,
};

export interface Received {
  readonly from: bigint;
  readonly bytes: Uint8Array;
}

export interface SnapshotHandler {
  (from: bigint, meta: Uint8Array, body: AsyncIterable<Uint8Array>): Promise<void>;
}

export interface MemberOptions {
  clusterId?: bigint;
  listen?: string;
  advertise?: string[];
  tls?: PeerTlsOptions;
  timing?: Partial<TransportTiming>;
  limits?: Partial<TransportLimits>;
  onSnapshot?: SnapshotHandler;
  onPeerRequest?(method: string, path: string, body: Buffer): Promise<PeerReply>;
}

export interface TestMember {
  readonly id: bigint;
  readonly transport: Transport;
  readonly url: string;
  readonly received: Received[];
  readonly unreachable: bigint[];
  readonly removedBy: bigint[];
  readonly logs: Array<{ level: string; msg: string; [field: string]: unknown }>;
  readonly registry: Registry;
  /** The value of a metric series, 0 when it has none. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  logged(msg: string): boolean;
}

export const clusterA = 0x1c0ffee0beefn;

export async function startMember(id: bigint, options: MemberOptions = {}): Promise<TestMember> {
  const received: Received[] = [];
  const unreachable: bigint[] = [];
  const removedBy: bigint[] = [];
  const logs: TestMember['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'debug', messageKey: 'msg', formatters: { level: (label) => ({ level: label }) } }, sink);
  const registry = new Registry();
  const secure = options.tls?.certFile !== undefined;
  const transport = new Transport({
    memberId: id,
    clusterId: options.clusterId ?? clusterA,
    listen: [options.listen ?? `${secure ? 'https' : 'http'}://127.0.0.1:0`],
    advertise: options.advertise,
    tls: options.tls,
    logger,
    metrics: registry,
    serverVersion: '3.4.31',
    timing: { ...testTiming, ...options.timing },
    limits: options.limits,
    rng: () => 0.5,
    onMessage: (from, bytes) => received.push({ from, bytes }),
    onSnapshot: options.onSnapshot ?? (async () => Promise.reject(new Error('no snapshot expected'))),
    onUnreachable: (peer) => unreachable.push(peer),
    onRemoved: (by) => removedBy.push(by),
    onPeerRequest: options.onPeerRequest,
  });
  await transport.start();
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const found = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    const series = found.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
    return series.reduce((sum, v) => sum + v.value, 0);
  };
  return {
    id,
    transport,
    url: transport.listenedUrls()[0],
    received,
    unreachable,
    removedBy,
    logs,
    registry,
    metric,
    logged: (msg) => logs.some((l) => l.msg === msg),
  };
}

/** Every member adds every other as a peer, by its bound URL. */
export function mesh(members: readonly TestMember[]): void {
  for (const a of members) for (const b of members) if (a !== b) a.transport.addPeer(b.id, [b.url]);
}

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs` naming `what`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < timeoutMs / 10 + 1; i++) {
    if (await check()) return;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function closeAll(members: readonly TestMember[]): Promise<void> {
  await Promise.all(members.map((m) => m.transport.close()));
}

/** Bytes of a recognisable message: `tag` then `size - tag` filler bytes. */
export function message(tag: string, size = tag.length): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, tag.length));
  bytes.set(Buffer.from(tag));
  for (let i = tag.length; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

export function text(bytes: Uint8Array, length?: number): string {
  return Buffer.from(bytes.subarray(0, length ?? bytes.length)).toString('utf8');
}
