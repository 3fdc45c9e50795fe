// check perf: etcdctl's write load (rate-limited puts of 1 KiB values under a prefix from many
// concurrent callers for a fixed time), then pass/fail against its thresholds: throughput above 90%
// of the target rate, slowest request under 500 ms, standard deviation under 100 ms, no errors.
// --duration (cairnctl's own) shortens the run; etcdctl always runs 60 s.
// check datascale: etcdctl's count of 1 KiB key-values put as fast as its callers go, and the first
// endpoint's resident memory (process_resident_memory_bytes on /metrics) before and after.
import type { Command } from 'commander';
import { etcdserverpb, prefixRange } from '../../api';
import { httpGet } from '../../client';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { callOrFail, parseInt64 } from './shared';

interface PerfLoad {
  readonly limit: number;
  readonly clients: number;
}

/** etcdctl 3.4's loads: target writes per second and concurrent callers. */
const LOADS: Readonly<Record<string, PerfLoad>> = {
  s: { limit: 150, clients: 50 },
  m: { limit: 1000, clients: 200 },
  l: { limit: 8000, clients: 500 },
  xl: { limit: 15000, clients: 1000 },
};
/** etcdctl 3.4's datascale loads: key-values put (key and value 512 bytes each) and concurrent callers. */
const DATASCALE_LOADS: Readonly<Record<string, PerfLoad>> = {
  s: { limit: 10_000, clients: 50 },
  m: { limit: 100_000, clients: 200 },
  l: { limit: 1_000_000, clients: 500 },
  xl: { limit: 3_000_000, clients: 1000 },
};
const ALIASES: Readonly<Record<string, string>> = { s: 's', small: 's', m: 'm', medium: 'm', l: 'l', large: 'l', xl: 'xl', xLarge: 'xl' };

const PERF_KEY_BYTES = 256;
const PERF_VALUE = Buffer.alloc(1024);
const DATASCALE_KEY_BYTES = 512;
const DATASCALE_VALUE = Buffer.alloc(512);
const RESIDENT_MEMORY = 'process_resident_memory_bytes';

interface PerfStats {
  readonly rps: number;
  readonly slowest: number;
  readonly stddev: number;
  readonly errors: Map<string, number>;
}

/** Go's binary.PutVarint of a random non-negative int64 into a zeroed key suffix of `bytes` bytes. */
function randomKeySuffix(bytes: number): Buffer {
  const k = Buffer.alloc(bytes);
  let v = BigInt.asUintN(63, BigInt(Math.floor(Math.random() * 2 ** 53)) * 1024n + BigInt(Math.floor(Math.random() * 1024))) << 1n;
  let i = 0;
  while (v >= 0x80n) {
    k[i++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  k[i] = Number(v);
  return k;
}

interface PutLoad {
  readonly total: number;
  readonly clients: number;
  /** puts per second at most (etcdctl's rate limiter); unlimited when absent */
  readonly perSecond?: number;
  readonly keyBytes: number;
  readonly value: Buffer;
}

async function runLoad(ctx: CtlContext, prefix: string, load: PutLoad): Promise<PerfStats> {
  const client = ctx.client();
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  const started = Date.now();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= load.total) return;
      // Request i is due at i/perSecond seconds: the rate limiter etcdctl uses, one token at a time.
      const wait = load.perSecond === undefined ? 0 : started + (i * 1000) / load.perSecond - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      try {
        await client.unary(etcdserverpb.KVService.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.concat([Buffer.from(prefix), randomKeySuffix(load.keyBytes)]), value: load.value }));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        errors.set(message, (errors.get(message) ?? 0) + 1);
      }
      const t1 = performance.now();
      first = Math.min(first, t0);
      last = Math.max(last, t1);
      latencies.push((t1 - t0) / 1000);
    }
  };
  await Promise.all(Array.from({ length: Math.min(load.clients, load.total) }, worker));
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const variance = latencies.reduce((a, b) => a + (b - mean) ** 2, 0) / latencies.length;
  return { rps: latencies.length / ((last - first) / 1000), slowest: Math.max(...latencies), stddev: Math.sqrt(variance), errors };
}

/** The load's model from --load, or etcdctl's error (exit 4). */
function loadModel(name: string): string {
  const model = ALIASES[name];
  if (model === undefined) throw new CtlError(ExitCode.badFeature, `unknown load option ${name}`);
  return model;
}

/** Both checks start on an empty prefix, as etcdctl's do. */
async function checkPrefixEmpty(ctx: CtlContext, prefix: string): Promise<void> {
  const existing = await callOrFail(ctx.client().unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ ...prefixRange(prefix), limit: 1n }), { idempotent: true }));
  if (existing.kvs.length > 0) throw new CtlError(ExitCode.invalidInput, `prefix ${JSON.stringify(prefix)} has keys. Delete with etcdctl del --prefix ${prefix} first`);
}

/** Deletes the load's keys, then compacts and defragments when asked, saying so as etcdctl does. */
async function cleanUp(ctx: CtlContext, prefix: string, o: { autoCompact?: boolean; autoDefrag?: boolean }): Promise<void> {
  const client = ctx.client();
  const deleted = await callOrFail(client.unary(etcdserverpb.KVService.deleteRange, etcdserverpb.DeleteRangeRequest.fromPartial(prefixRange(prefix)), { timeoutMs: 30_000 }));
  if (o.autoCompact) {
    const rev = deleted.header?.revision ?? 0n;
    ctx.output.out(`Compacting with revision ${rev}\n`);
    await callOrFail(client.unary(etcdserverpb.KVService.compact, etcdserverpb.CompactionRequest.fromPartial({ revision: rev, physical: true })));
    ctx.output.out(`Compacted with revision ${rev}\n`);
  }
  if (o.autoDefrag) {
    for (const ep of ctx.global.endpoints) {
      ctx.output.out(`Defragmenting ${JSON.stringify(ep)}\n`);
      await callOrFail(ctx.clientFor(ep).unary(etcdserverpb.MaintenanceService.defragment, {}, { timeoutMs: 60_000 }));
      ctx.output.out(`Defragmented ${JSON.stringify(ep)}\n`);
    }
  }
}

/**
 * process_resident_memory_bytes from the endpoint's /metrics, as etcdctl reads it (over https with
 * the client certificate, and the CA, which etcdctl leaves out); undefined after printing why not.
 */
async function residentMemory(ctx: CtlContext, endpoint: string): Promise<number | undefined> {
  const base = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  let text: string;
  try {
    const g = ctx.global;
    text = (await httpGet(`${base}/metrics`, { caFile: g.cacert, certFile: g.cert, keyFile: g.key, insecureSkipVerify: g.insecureSkipVerify })).body;
  } catch (err) {
    ctx.output.out(`fetch error: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(RESIDENT_MEMORY));
  if (line === undefined) {
    ctx.output.out(`could not find: ${RESIDENT_MEMORY}\n`);
    return undefined;
  }
  const value = Number(line.slice(RESIDENT_MEMORY.length).trim());
  if (!Number.isFinite(value)) {
    ctx.output.out(`parse error: ${line}\n`);
    return undefined;
  }
  return value;
}

/** The verdict lines etcdctl prints, and whether every check passed. */
export function perfVerdict(stats: PerfStats, limit: number): { lines: string[]; ok: boolean } {
  const lines: string[] = [];
  let ok = true;
  if (stats.errors.size > 0) {
    lines.push('FAIL: too many errors');
    for (const [message, count] of stats.errors) lines.push(`FAIL: ERROR(${message}) -> ${count}`);
    ok = false;
  }
  const rps = Math.floor(stats.rps) + 1;
  if (stats.rps / limit <= 0.9) { lines.push(`FAIL: Throughput too low: ${rps} writes/s`); ok = false; } else lines.push(`PASS: Throughput is ${rps} writes/s`);
  if (stats.slowest > 0.5) { lines.push(`Slowest request took too long: ${stats.slowest.toFixed(6)}s`); ok = false; } else lines.push(`PASS: Slowest request took ${stats.slowest.toFixed(6)}s`);
  if (stats.stddev > 0.1) { lines.push(`Stddev too high: ${stats.stddev.toFixed(6)}s`); ok = false; } else lines.push(`PASS: Stddev is ${stats.stddev.toFixed(6)}s`);
  lines.push(ok ? 'PASS' : 'FAIL');
  return { lines, ok };
}

/** etcdctl prints this on stdout and exits 1 without an "Error:" line. */
function memoryUnread(ctx: CtlContext, when: 'before' | 'after'): never {
  ctx.output.out(`FAIL: Could not read ${RESIDENT_MEMORY} ${when} the put operations.\n`);
  throw new CtlError(ExitCode.error, '');
}

export function registerCheckCommands(program: Command, ctx: CtlContext): void {
  const check = program.command('check').description('commands for checking properties of the etcd cluster');
  check.command('perf').description('Check the performance of the etcd cluster').usage('[options]').argument('[args...]')
    .option('--load <model>', "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)", 's')
    .option('--prefix <prefix>', "The prefix for writing the performance check's keys.", '/etcdctl-check-perf/')
    .option('--auto-compact', 'Compact storage with last revision after test is finished.')
    .option('--auto-defrag', 'Defragment storage after test is finished.')
    .option('--duration <seconds>', 'How long the load runs (cairnctl only; etcdctl always runs 60)', '60')
    .action(async (_args: string[], o: { load: string; prefix: string; autoCompact?: boolean; autoDefrag?: boolean; duration: string }) => {
      const load = LOADS[loadModel(o.load)];
      const seconds = Number(parseInt64('duration', o.duration));
      if (seconds < 1 || seconds > 600) throw badArgs('--duration must be between 1 and 600 seconds');
      await checkPrefixEmpty(ctx, o.prefix);
      const total = Math.max(1, Math.floor(load.limit * seconds));
      const stats = await runLoad(ctx, o.prefix, { total, clients: load.clients, perSecond: load.limit, keyBytes: PERF_KEY_BYTES, value: PERF_VALUE });
      await cleanUp(ctx, o.prefix, o);
      const verdict = perfVerdict(stats, load.limit);
      for (const line of verdict.lines) ctx.output.out(`${line}\n`);
      if (!verdict.ok) throw new CtlError(ExitCode.error, '');
    });
  check.command('datascale').description('Check the memory usage of holding data for different workloads on a given server endpoint.').usage('[options]').argument('[args...]')
    .option('--load <model>', "The datascale check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)", 's')
    .option('--prefix <prefix>', "The prefix for writing the datascale check's keys.", '/etcdctl-check-datascale/')
    .option('--auto-compact', 'Compact storage with last revision after test is finished.')
    .option('--auto-defrag', 'Defragment storage after test is finished.')
    .action(async (_args: string[], o: { load: string; prefix: string; autoCompact?: boolean; autoDefrag?: boolean }) => {
      const load = DATASCALE_LOADS[loadModel(o.load)];
      await checkPrefixEmpty(ctx, o.prefix);
      const endpoint = ctx.global.endpoints[0];
      const before = await residentMemory(ctx, endpoint);
      if (before === undefined || before === 0) return memoryUnread(ctx, 'before');
      ctx.output.out(`Start data scale check for work load [${load.limit} key-value pairs, ${DATASCALE_KEY_BYTES + DATASCALE_VALUE.length} bytes per key-value, ${load.clients} concurrent clients].\n`);
      const stats = await runLoad(ctx, o.prefix, { total: load.limit, clients: load.clients, keyBytes: DATASCALE_KEY_BYTES, value: DATASCALE_VALUE });
      const after = await residentMemory(ctx, endpoint);
      if (after === undefined || after === 0) return memoryUnread(ctx, 'after');
      await cleanUp(ctx, o.prefix, o);
      if (stats.errors.size > 0) {
        ctx.output.out('FAIL: too many errors\n');
        for (const [message, count] of stats.errors) ctx.output.out(`FAIL: ERROR(${message}) -> ${count}\n`);
        throw new CtlError(ExitCode.error, '');
      }
      ctx.output.out(`PASS: Approximate system memory used : ${((after - before) / (1024 * 1024)).toFixed(2)} MB.\n`);
    });
}
