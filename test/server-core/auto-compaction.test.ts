import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status as Status } from '@grpc/grpc-js';
import { AutoCompactor, parseAutoCompaction } from '../../src/server/auto-compaction';
import { parseGoDuration } from '../../src/go-values';
import { api, removeDir, startCore, tempDataDir } from './harness';

test('retention is read as etcd reads it: whole numbers are hours or revisions, else a duration', () => {
  assert.equal(parseAutoCompaction('periodic', '0'), undefined);
  assert.equal(parseAutoCompaction('periodic', ''), undefined);
  assert.deepEqual(parseAutoCompaction('periodic', '1'), { mode: 'periodic', periodMs: 3_600_000 });
  assert.deepEqual(parseAutoCompaction('periodic', '30m'), { mode: 'periodic', periodMs: 1_800_000 });
  assert.deepEqual(parseAutoCompaction('revision', '1000'), { mode: 'revision', retain: 1000 });
  assert.throws(() => parseAutoCompaction('periodic', '0.5'), /error parsing auto-compaction-retention "0.5"/);
  assert.throws(() => parseAutoCompaction('hourly', '1'), /unknown auto-compaction-mode "hourly"/);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1x'), undefined);
});

test('periodic: first compaction after the period, to the revision seen a period ago, then every period', async () => {
  let now = 0;
  let revision = 10;
  const compacted: number[] = [];
  const policy = parseAutoCompaction('periodic', '10s');
  assert.ok(policy);
  const compactor = new AutoCompactor(policy, { now: () => now, currentRevision: () => revision, compact: async (rev) => { compacted.push(rev); } });
  assert.equal(compactor.intervalMs, 1000);
  for (let i = 0; i < 10; i++) {
    await compactor.tick();
    now += 1000;
    revision += 5;
  }
  assert.deepEqual(compacted, []);
  await compactor.tick(); // t = 10 s: the oldest sample is the revision at t = 0
  assert.deepEqual(compacted, [10]);
  for (let i = 0; i < 10; i++) {
    now += 1000;
    revision += 5;
    await compactor.tick();
  }
  assert.deepEqual(compacted, [10, 60]);
});

test('revision: compacts to current minus retention, once per distinct revision', async () => {
  let revision = 3;
  const compacted: number[] = [];
  const compactor = new AutoCompactor({ mode: 'revision', retain: 5 }, { now: () => 0, currentRevision: () => revision, compact: async (rev) => { compacted.push(rev); } });
  await compactor.tick();
  revision = 20;
  await compactor.tick();
  await compactor.tick();
  revision = 26;
  await compactor.tick();
  assert.deepEqual(compacted, [15, 21]);
});

test('a running server compacts on its own with periodic retention', async () => {
  const dir = tempDataDir();
  const running = await startCore(dir, { autoCompactionMode: 'periodic', autoCompactionRetention: '1s' });
  try {
    const c = api(running.clients);
    const first = await c.put('ac', '1');
    let compacted = false;
    // Bounded: 150 rounds of 100 ms writes; etcd's schedule compacts after one to two seconds.
    for (let i = 0; i < 150 && !compacted; i++) {
      await c.put('ac', String(i));
      await new Promise((r) => setTimeout(r, 100));
      compacted = await c.range('ac', { revision: first.header?.revision }).then(
        () => false,
        (err: { code?: number }) => err.code === Status.OUT_OF_RANGE,
      );
    }
    assert.equal(compacted, true);
  } finally {
    await running.stop();
    removeDir(dir);
  }
});

test('bad start-up settings fail with a clear error and leave the data dir usable', async () => {
  const dir = tempDataDir();
  try {
    await assert.rejects(startCore(dir, { name: 'x', initialCluster: 'y=http://localhost:2380' }), /couldn't find local name "x"/);
    await assert.rejects(startCore(dir, { autoCompactionRetention: 'soon' }), /error parsing auto-compaction-retention "soon"/);
    const running = await startCore(dir);
    await api(running.clients).put('fine', 'yes');
    await running.stop();
  } finally {
    removeDir(dir);
  }
});
