// `node dist/bench/alternate.js --members 3 --seconds 40 base=/tmp/base/bin/cairn new=bin/cairn etcd`:
// A/B with the least noise this machine allows. Every system's cluster is up for the whole run, and
// one client at a time loads one of them, switching every --slice-ms: each gets the same minutes of
// a VM whose speed drifts over tens of seconds (sequential runs of a few seconds each differed by
// more than the changes measured). Prints each one's ops/s and latency percentiles.
import { Command } from 'commander';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, credentials } from '@grpc/grpc-js';
import { prepare, WORKLOADS, type PreparedWorkload, type WorkloadName } from './load/workloads';
import { CAIRN_ENTRY_ENV, startCluster, type RunningCluster } from './servers';

const repoRoot = join(__dirname, __dirname.includes(join('dist', 'bench')) ? '../..' : '..');

interface Side {
  name: string;
  cluster: RunningCluster;
  channel: Client;
  workload: PreparedWorkload;
  latenciesMs: number[];
  operations: number;
}

/** `name=path/to/cairn` (another build's entry script) or `etcd`. */
function parseSystem(arg: string): { name: string; entry?: string } {
  if (arg === 'etcd') return { name: 'etcd' };
  const at = arg.indexOf('=');
  if (at <= 0 || at === arg.length - 1) throw new Error(`alternate: ${JSON.stringify(arg)} is neither "etcd" nor name=path/to/cairn`);
  return { name: arg.slice(0, at), entry: resolve(arg.slice(at + 1)) };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('alternate')
    .argument('<systems...>', 'etcd, or name=path/to/cairn (an entry script, e.g. another clone\'s bin/cairn)')
    .option('--workload <name>', `one of ${WORKLOADS.join(',')}`, 'put')
    .option('--members <n>', 'cluster size', '3')
    .option('--seconds <n>', 'measured time, shared by the systems', '40')
    .option('--slice-ms <n>', 'how long one system is loaded before the next', '500')
    .option('--warmup-seconds <n>', 'unmeasured load on each system first', '3')
    .parse(argv, { from: 'user' });
  const o = program.opts();
  const workloadName = String(o.workload) as WorkloadName;
  if (!WORKLOADS.includes(workloadName)) throw new Error(`alternate: unknown workload ${JSON.stringify(o.workload)}`);
  const systems = program.args.map(parseSystem);
  if (systems.length < 2) throw new Error('alternate: name at least two systems');
  const params = { keySize: 8, valueSize: 256, keySpace: 100_000, sequentialKeys: false, watchers: 4 };
  const sides: Side[] = [];
  try {
    for (const system of systems) {
      if (system.entry !== undefined) process.env[CAIRN_ENTRY_ENV] = system.entry;
      else delete process.env[CAIRN_ENTRY_ENV];
      const cluster = await startCluster({ system: system.entry === undefined ? 'etcd' : 'cairn', members: Number(o.members) as 1 | 3 | 5, dataRoot: tmpdir(), repoRoot });
      // the lone client on a follower, as in the runner (targets list the leader last)
      const channel = new Client(cluster.targets[0], credentials.createInsecure());
      sides.push({ name: system.name, cluster, channel, workload: await prepare(workloadName, channel, params, Math.random), latenciesMs: [], operations: 0 });
    }
    for (const side of sides) {
      const end = Date.now() + Number(o.warmupSeconds) * 1000;
      while (Date.now() < end) await side.workload.op(side.operations++);
    }
    const stop = Date.now() + Number(o.seconds) * 1000;
    while (Date.now() < stop) {
      for (const side of sides) {
        const end = Date.now() + Number(o.sliceMs);
        while (Date.now() < end) {
          const started = process.hrtime.bigint();
          await side.workload.op(side.operations++);
          side.latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }
    }
  } finally {
    for (const side of sides) {
      side.workload.close();
      side.channel.close();
    }
    await Promise.all(sides.map((side) => side.cluster.stop()));
  }
  const secondsEach = Number(o.seconds) / sides.length;
  for (const side of sides) {
    const sorted = [...side.latenciesMs].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    const cells = [0.1, 0.5, 0.9, 0.99, 0.999].map((q) => `p${q * 100} ${percentile(sorted, q).toFixed(2)}`).join(' ');
    console.log(`${side.name.padEnd(8)} ${(sorted.length / secondsEach).toFixed(0)} ops/s, mean ${mean.toFixed(2)} ms, ${cells} ms (${sorted.length} operations)`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
