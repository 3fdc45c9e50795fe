// `npm run bench -- [options]`: real etcd and cairn side by side on this machine, same load
// generator, alternating A B A B, medians and ratios into bench/RESULTS.md and a chart.
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { runLoad, type LoadResult } from './load/generator';
import { FILL_KEYS_PER_TXN, WORKLOADS, type WorkloadName, type WorkloadParams } from './load/workloads';
import { ensureEtcdInstalled, startCluster, type RunningCluster, type SystemName } from './servers';
import { median, resourceTable, throughputChart, throughputTable, type Metrics, type ResourceRow, type Row } from './report';

interface Options {
  members: number[];
  workloads: WorkloadName[];
  clients: number[];
  ops: number;
  seconds: number;
  rounds: number;
  fillKeys: number;
  restartKeys: number;
  fillSeconds: number;
  warmupSeconds: number;
  threads: number;
  dataRoot: string;
  out: string;
}

const repoRoot = join(__dirname, __dirname.includes(`${join('dist', 'bench')}`) ? '../..' : '..');

function list(value: string): number[] {
  return value.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`bench: ${JSON.stringify(v)} is not a positive whole number`);
    return n;
  });
}

function parse(argv: string[]): Options {
  const program = new Command('bench')
    .option('--members <list>', 'cluster sizes', '1,3')
    .option('--workloads <list>', `workloads (${WORKLOADS.join(',')})`, WORKLOADS.join(','))
    .option('--clients <list>', 'client counts (put is run at each; the others at the largest)', '1,10,100')
    .option('--ops <n>', 'operations per run, at most', '20000')
    .option('--seconds <n>', 'length of one run, at most', '20')
    .option('--rounds <n>', 'A B rounds; medians are reported', '2')
    .option('--fill-keys <n>', 'keys of 256 bytes loaded before measuring RSS and data size (0: skip)', '100000')
    .option('--restart-keys <n>', 'keys loaded before the restart-time measurement, 1 member (0: skip)', '1000000')
    .option('--fill-seconds <n>', 'bound on each key load (the keys actually loaded are reported)', '600')
    .option('--warmup-seconds <n>', 'unmeasured load on each new cluster before its runs, shared among the workloads (0: none)', '12')
    .option('--threads <n>', 'load generator threads', '2')
    .option('--data-root <dir>', 'where data dirs go (same filesystem for both)', tmpdir())
    .option('--out <file>', 'results file', join(repoRoot, 'bench', 'RESULTS.md'))
    .parse(argv, { from: 'user' });
  const o = program.opts();
  const workloads = String(o.workloads).split(',') as WorkloadName[];
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`bench: unknown workload ${JSON.stringify(w)}`);
  const warmupSeconds = Number(o.warmupSeconds);
  if (!Number.isFinite(warmupSeconds) || warmupSeconds < 0) throw new Error(`bench: --warmup-seconds wants seconds, 0 or more; got ${JSON.stringify(o.warmupSeconds)}`);
  return {
    members: list(o.members), workloads, clients: list(o.clients), ops: list(o.ops)[0], seconds: list(o.seconds)[0],
    rounds: list(o.rounds)[0], fillKeys: Number(o.fillKeys), restartKeys: Number(o.restartKeys), fillSeconds: list(o.fillSeconds)[0], threads: list(o.threads)[0],
    warmupSeconds,
    dataRoot: o.dataRoot, out: o.out,
  };
}

const PARAMS: WorkloadParams = { keySize: 8, valueSize: 256, keySpace: 100_000, sequentialKeys: false, watchers: 4 };

function runsFor(o: Options): { workload: WorkloadName; clients: number }[] {
  const most = Math.max(...o.clients);
  return o.workloads.flatMap((workload) => (workload === 'put' ? o.clients : [most]).map((clients) => ({ workload, clients })));
}

async function load(cluster: RunningCluster, workload: WorkloadName, clients: number, o: Options, params = PARAMS, ops = o.ops, seconds = o.seconds): Promise<LoadResult> {
  return runLoad({ targets: cluster.targets, workload, params, clients, connections: Math.max(1, Math.min(clients, 10)), operations: ops, maxSeconds: seconds, threads: o.threads });
}

/** Loads `keys` distinct keys of 256 bytes, a txn of FILL_KEYS_PER_TXN puts per request so that a million keys load in minutes. */
async function fill(cluster: RunningCluster, keys: number, o: Options, notes: string[]): Promise<LoadResult> {
  const txns = Math.ceil(keys / FILL_KEYS_PER_TXN);
  const r = await load(cluster, 'fill', 20, o, { ...PARAMS, keySpace: txns * FILL_KEYS_PER_TXN, sequentialKeys: true }, txns, o.fillSeconds);
  const loaded = r.done * FILL_KEYS_PER_TXN;
  if (loaded < keys || r.errors > 0) notes.push(`${cluster.system}: loaded ${loaded} of ${keys} keys in ${r.seconds.toFixed(0)} s (${r.errors} errors${r.firstError ? `: ${r.firstError}` : ''})`);
  return r;
}

/** Clients of the warm-up load. */
const WARMUP_CLIENTS = 10;

/**
 * Runs every workload of the run unmeasured on a new cluster, so the runs measure servers in their
 * steady state, as long-running servers are: cairn's JavaScript starts in V8's interpreter and is
 * compiled as it gets hot (a lone put measured 166-216 ops/s over the first 6 s of a new 3-member
 * cluster and 304 ops/s over 30 s); etcd gets the same load.
 */
async function warmUp(cluster: RunningCluster, o: Options): Promise<void> {
  if (o.warmupSeconds <= 0) return;
  const seconds = o.warmupSeconds / o.workloads.length;
  for (const workload of o.workloads) await load(cluster, workload, WARMUP_CLIENTS, o, PARAMS, Number.MAX_SAFE_INTEGER, seconds);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

type Sample = Map<string, LoadResult[]>;

/** Hand-written findings below this heading in the results file survive a new run. */
const NOTES_HEADING = '\n## Notes (kept across runs)';

function keptNotes(file: string): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(NOTES_HEADING);
  return at < 0 ? '' : text.slice(at);
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  ensureEtcdInstalled();
  const loadBefore = loadavg();
  const notes: string[] = [];
  mkdirSync(o.dataRoot, { recursive: true });
  const systems: SystemName[] = ['etcd', 'cairn'];
  const samples: Record<SystemName, Sample> = { etcd: new Map(), cairn: new Map() };
  const cpuSamples: Record<SystemName, Map<string, number[]>> = { etcd: new Map(), cairn: new Map() };
  const resources: Record<SystemName, Map<string, number[]>> = { etcd: new Map(), cairn: new Map() };
  const failures: string[] = [];
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v]);

  for (let round = 0; round < o.rounds; round++) {
    for (const members of o.members) {
      const order = round % 2 === 0 ? systems : [...systems].reverse();
      for (const system of order) {
        let cluster: RunningCluster;
        try {
          cluster = await startCluster({ system, members: members as 1 | 3, dataRoot: o.dataRoot, repoRoot });
        } catch (err) {
          failures.push(`${system} ${members} member(s): ${message(err)}`);
          continue;
        }
        try {
          await warmUp(cluster, o);
          for (const run of runsFor(o)) {
            let r: LoadResult;
            const cpuBefore = cluster.cpuSeconds();
            try {
              r = await load(cluster, run.workload, run.clients, o);
            } catch (err) {
              failures.push(`${system} ${members} member(s) ${run.workload} clients=${run.clients}: ${message(err)}`);
              continue;
            }
            console.log(`round ${round} ${system} members=${members} ${run.workload} clients=${run.clients}: ${r.opsPerSecond.toFixed(0)} ops/s p99 ${r.p99Ms.toFixed(2)} ms errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`);
            push(samples[system], `${members}|${run.workload}|${run.clients}`, r);
            push(cpuSamples[system], `${members}|${run.workload}|${run.clients}`, ((cluster.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, r.done));
          }
          if (o.fillKeys > 0) {
            await fill(cluster, o.fillKeys, o, notes);
            const memory = cluster.memory();
            push(resources[system], `${members}|RSS after ${o.fillKeys} keys of 256 B`, memory.rss / 2 ** 20);
            push(resources[system], `${members}|PSS after ${o.fillKeys} keys of 256 B`, memory.pss / 2 ** 20);
            push(resources[system], `${members}|anonymous memory after ${o.fillKeys} keys`, memory.anonymous / 2 ** 20);
            push(resources[system], `${members}|data dir size`, cluster.dataBytes() / 2 ** 20);
          }
        } finally {
          await cluster.stop();
        }
      }
    }
  }

  if (o.restartKeys > 0) {
    for (const system of systems) {
      let cluster: RunningCluster | undefined;
      try {
        cluster = await startCluster({ system, members: 1, dataRoot: o.dataRoot, repoRoot });
        await fill(cluster, o.restartKeys, o, notes);
        await cluster.stop(true);
        const t0 = Date.now();
        cluster = await startCluster({ system, members: 1, dataRoot: o.dataRoot, repoRoot, dataDirs: cluster.dataDirs });
        push(resources[system], `1|restart with ${o.restartKeys} keys`, (Date.now() - t0) / 1000);
      } catch (err) {
        failures.push(`${system} restart: ${message(err)}`);
      } finally {
        await cluster?.stop();
      }
    }
  }

  const med = (rs: LoadResult[] | undefined, cpu: number[] | undefined): Metrics => ({
    cpuUsPerOp: median(cpu ?? []),
    opsPerSecond: median((rs ?? []).map((r) => r.opsPerSecond)),
    p50Ms: median((rs ?? []).map((r) => r.p50Ms)),
    p99Ms: median((rs ?? []).map((r) => r.p99Ms)),
    errors: (rs ?? []).reduce((s, r) => s + r.errors, 0),
  });
  const rows: Row[] = o.members.flatMap((members) => runsFor(o).map((run) => {
    const key = `${members}|${run.workload}|${run.clients}`;
    return { members, workload: run.workload, clients: run.clients, etcd: med(samples.etcd.get(key), cpuSamples.etcd.get(key)), cairn: med(samples.cairn.get(key), cpuSamples.cairn.get(key)) };
  }));
  const resourceKeys = [...new Set([...resources.etcd.keys(), ...resources.cairn.keys()])];
  const resourceRows: ResourceRow[] = resourceKeys.map((k) => {
    const [members, what] = k.split('|');
    return { members: Number(members), what, etcd: median(resources.etcd.get(k) ?? []), cairn: median(resources.cairn.get(k) ?? []), unit: what.startsWith('restart') ? 's' : 'MiB' };
  });

  // Charts go beside the results file that links them; a run without put rows draws none.
  const charts = o.members.flatMap((members) => {
    const points = rows.filter((r) => r.members === members && r.workload === 'put')
      .map((r) => ({ clients: r.clients, etcd: r.etcd.opsPerSecond, cairn: r.cairn.opsPerSecond }));
    if (points.length === 0) return [];
    const file = `put-throughput-${members}m.svg`;
    writeFileSync(join(dirname(o.out), file), throughputChart(`put throughput, ${members} member(s)`, points));
    return [file];
  });

  const etcdVersion = spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const text = `# Benchmark results

Date: ${new Date().toISOString()}
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${release()}, Node ${process.version}, ${etcdVersion}
Load average (1, 5, 15 min) before: ${loadBefore.map((l) => l.toFixed(1)).join(', ')}; after: ${loadavg().map((l) => l.toFixed(1)).join(', ')}
Command: \`npm run bench -- ${process.argv.slice(2).join(' ')}\`
Each cell is the median of ${o.rounds} rounds (etcd and cairn alternating); ratio = cairn / etcd. CPU µs/op is the server processes' user + system time over the run divided by the operations done (10 ms clock ticks): unlike ops/s it does not depend on how busy the rest of the machine is.
Key size 8, value size 256, key space ${PARAMS.keySpace}, random keys; ${o.threads} generator threads; at most ${o.ops} operations or ${o.seconds} s per run, after ${o.warmupSeconds} s of unmeasured load (every workload in turn, ${WARMUP_CLIENTS} clients) on each new cluster.

## Throughput and latency

${throughputTable(rows)}

## Memory, disk, restart

${resourceTable(resourceRows)}

## Charts

${charts.map((f) => `![${f}](${f})`).join('\n')}
${notes.length ? `\n## Key loads that did not finish\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}${failures.length ? `\n## Runs that did not start\n\n${failures.map((f) => `- ${f}`).join('\n')}\n` : ''}`;
  writeFileSync(o.out, text + keptNotes(o.out));
  console.log(text);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
