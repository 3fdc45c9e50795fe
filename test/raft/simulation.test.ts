// The deterministic cluster simulation: RAFT_SEEDS seeds per cluster size (default 1000).
// A failing seed prints its replay command; RAFT_SIM_SEED (with RAFT_SIM_SIZE) runs one seed;
// RAFT_SIM_STEPS (default 200) sets the faulty steps per seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from './sim/cluster';

const seeds = Number(process.env.RAFT_SEEDS ?? 1000);
const only = process.env.RAFT_SIM_SEED;
const onlySize = Number(process.env.RAFT_SIM_SIZE ?? 0);
const trace = process.env.RAFT_SIM_TRACE === '1';
const steps = Number(process.env.RAFT_SIM_STEPS ?? 200);

for (const size of [3, 5]) {
  if (onlySize !== 0 && onlySize !== size) continue;
  const list = only !== undefined ? [Number(only)] : Array.from({ length: seeds }, (_, i) => i + 1);
  test(`simulated ${size}-member clusters under faults keep raft's safety properties (${list.length} seeds)`, () => {
    const totals = { proposals: 0, acked: 0, reads: 0, readsServed: 0, crashes: 0, snapshots: 0, confChanges: 0, transfers: 0 };
    for (const seed of list) {
      const sim = new SimCluster({ size, seed, steps, healSteps: 400, trace });
      sim.run();
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += sim.stats[k];
    }
    // The runs must have exercised what they claim to check.
    assert.ok(totals.acked > list.length, `too few acknowledged writes: ${JSON.stringify(totals)}`);
    assert.ok(totals.readsServed > 0, `no read was served: ${JSON.stringify(totals)}`);
    if (list.length >= 100) {
      for (const k of ['crashes', 'snapshots', 'confChanges', 'transfers'] as const) assert.ok(totals[k] > 0, `no ${k} happened: ${JSON.stringify(totals)}`);
    }
    console.log(`# ${size} members, ${list.length} seeds: ${JSON.stringify(totals)}`);
  });
}
