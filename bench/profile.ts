// `node dist/bench/profile.js --workload put --clients 10 --seconds 15 [--members 3]`: runs one
// workload against cairn members started under `node --cpu-prof`, then prints the top self-time
// functions of each member's profile.
import { Command } from 'commander';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './load/generator';
import { WORKLOADS, type WorkloadName } from './load/workloads';
import { CAIRN_NODE_ARGS_ENV, startCluster } from './servers';
import { summariseProfile } from './profile-summary';

const repoRoot = join(__dirname, __dirname.includes(join('dist', 'bench')) ? '../..' : '..');

async function main(argv: string[]): Promise<void> {
  const o = new Command('profile')
    .option('--workload <name>', `one of ${WORKLOADS.join(',')}`, 'put')
    .option('--clients <n>', 'concurrent clients', '10')
    .option('--members <n>', 'cluster size', '1')
    .option('--ops <n>', 'operations, at most', '20000')
    .option('--seconds <n>', 'length of the run, at most', '15')
    .option('--top <n>', 'functions listed', '25')
    .option('--no-prof', 'measure only (ops/s, server CPU per operation), without the profiler')
    .option('--out <dir>', 'where the .cpuprofile goes', join(tmpdir(), 'cairn-profiles'))
    .parse(argv, { from: 'user' }).opts();
  const workload = String(o.workload) as WorkloadName;
  if (!WORKLOADS.includes(workload)) throw new Error(`profile: unknown workload ${JSON.stringify(o.workload)}`);
  mkdirSync(o.out, { recursive: true });
  const dir = mkdtempSync(join(o.out, `${workload}-`));
  if (o.prof) process.env[CAIRN_NODE_ARGS_ENV] = `--cpu-prof --cpu-prof-dir=${dir}`;
  const cluster = await startCluster({ system: 'cairn', members: Number(o.members) as 1 | 3 | 5, dataRoot: tmpdir(), repoRoot });
  const cpuBefore = cluster.cpuSeconds();
  try {
    const r = await runLoad({
      targets: cluster.targets, workload, clients: Number(o.clients), connections: Math.min(10, Number(o.clients)),
      operations: Number(o.ops), maxSeconds: Number(o.seconds), threads: 2,
      params: { keySize: 8, valueSize: 256, keySpace: 100_000, sequentialKeys: false, watchers: 4 },
    });
    console.log(`${workload} clients=${o.clients}: ${r.opsPerSecond.toFixed(0)} ops/s p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms errors ${r.errors}, server CPU ${(((cluster.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, r.done)).toFixed(0)} µs/op`);
  } finally {
    await cluster.stop();
  }
  if (!o.prof) return;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`profile: cairn wrote no profile into ${dir}`);
  for (const file of files) console.log(`profile: ${join(dir, file)}\n\n${summariseProfile(join(dir, file), Number(o.top))}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
