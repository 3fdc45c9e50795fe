// check perf: etcdctl's write load (rate-limited puts of 1 KiB values under a prefix from many
// concurrent callers for a fixed time), then pass/fail against its thresholds: throughput above 90%
// of the target rate, slowest request under 500 ms, standard deviation under 100 ms, no errors.
// --duration (cairnctl's own) shortens the run; etcdctl always runs 60 s.
import type { Command } from 'commander';
import { etcdserverpb, prefixRange } from '../../api';
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
const ALIASES: Readonly<Record<string, string>> = { s: 's', small: 's', m: 'm', medium: 'm', l: 'l', large: 'l', xl: 'xl', xLarge: 'xl' };

const KEY_BYTES = 256;
const VALUE = Buffer.alloc(1024);

interface PerfStats {
  readonly rps: number;
  readonly slowest: number;
  readonly stddev: number;
  readonly errors: Map<string, number>;
}

/** Go's binary.PutVarint of a random non-negative int64 into a zeroed 256-byte key suffix. */
function randomKeySuffix(): Buffer {
  const k = Buffer.alloc(KEY_BYTES);
  let v = BigInt.asUintN(63, BigInt(Math.floor(Math.random() * 2 ** 53)) * 1024n + BigInt(Math.floor(Math.random() * 1024))) << 1n;
  let i = 0;
  while (v >= 0x80n) {
    k[i++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  k[i] = Number(v);
  return k;
}

async function runLoad(ctx: CtlContext, prefix: string, load: PerfLoad, durationMs: number): Promise<PerfStats> {
  const client = ctx.client();
  const total = Math.max(1, Math.floor((load.limit * durationMs) / 1000));
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  const started = Date.now();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      // Request i is due at i/limit seconds: the rate limiter etcdctl uses, one token at a time.
      const wait = started + (i * 1000) / load.limit - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      try {
        await client.unary(etcdserverpb.KVService.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.concat([Buffer.from(prefix), randomKeySuffix()]), value: VALUE }));
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
  await Promise.all(Array.from({ length: Math.min(load.clients, total) }, worker));
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const variance = latencies.reduce((a, b) => a + (b - mean) ** 2, 0) / latencies.length;
  return { rps: latencies.length / ((last - first) / 1000), slowest: Math.max(...latencies), stddev: Math.sqrt(variance), errors };
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

export function registerCheckCommands(program: Command, ctx: CtlContext): void {
  const check = program.command('check').description('commands for checking properties of the etcd cluster');
  check.command('perf').description('Check the performance of the etcd cluster').usage('[options]').argument('[args...]')
    .option('--load <model>', "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)", 's')
    .option('--prefix <prefix>', "The prefix for writing the performance check's keys.", '/etcdctl-check-perf/')
    .option('--auto-compact', 'Compact storage with last revision after test is finished.')
    .option('--auto-defrag', 'Defragment storage after test is finished.')
    .option('--duration <seconds>', 'How long the load runs (cairnctl only; etcdctl always runs 60)', '60')
    .action(async (_args: string[], o: { load: string; prefix: string; autoCompact?: boolean; autoDefrag?: boolean; duration: string }) => {
      const model = ALIASES[o.load];
      if (model === undefined) throw new CtlError(ExitCode.badFeature, `unknown load option ${o.load}`);
      const seconds = Number(parseInt64('duration', o.duration));
      if (seconds < 1 || seconds > 600) throw badArgs('--duration must be between 1 and 600 seconds');
      const client = ctx.client();
      const existing = await callOrFail(client.unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ ...prefixRange(o.prefix), limit: 1n }), { idempotent: true }));
      if (existing.kvs.length > 0) throw new CtlError(ExitCode.invalidInput, `prefix ${JSON.stringify(o.prefix)} has keys. Delete with etcdctl del --prefix ${o.prefix} first`);
      const stats = await runLoad(ctx, o.prefix, LOADS[model], seconds * 1000);
      const deleted = await callOrFail(client.unary(etcdserverpb.KVService.deleteRange, etcdserverpb.DeleteRangeRequest.fromPartial(prefixRange(o.prefix)), { timeoutMs: 30_000 }));
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
      const verdict = perfVerdict(stats, LOADS[model].limit);
      for (const line of verdict.lines) ctx.output.out(`${line}\n`);
      if (!verdict.ok) throw new CtlError(ExitCode.error, '');
    });
}
