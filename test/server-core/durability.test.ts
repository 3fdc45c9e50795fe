import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { api, closeClients, makeClients, removeDir, startCore, tempDataDir } from './harness';
import { startChild } from './child-process';

async function fsyncCount(metricsText: Promise<string>): Promise<number> {
  const match = /^etcd_disk_wal_fsync_duration_seconds_count (\d+)/m.exec(await metricsText);
  return match ? Number(match[1]) : 0;
}

test('concurrent puts share WAL fsyncs (group commit)', async (t) => {
  const dir = tempDataDir();
  const running = await startCore(dir);
  try {
    const c = api(running.clients);
    await c.put('warm', 'up');
    const before = await fsyncCount(running.server.metrics.metrics());
    const puts = 200;
    await Promise.all(Array.from({ length: puts }, (_, i) => c.put(`gc/${i}`, 'v')));
    const fsyncs = (await fsyncCount(running.server.metrics.metrics())) - before;
    t.diagnostic(`${puts} concurrent puts: ${fsyncs} WAL fsyncs`);
    assert.ok(fsyncs >= 1);
    assert.ok(fsyncs * 4 <= puts, `${puts} concurrent puts took ${fsyncs} fsyncs`);
    assert.equal((await c.range('gc/', { rangeEnd: Buffer.from('gc0'), countOnly: true })).count, BigInt(puts));
  } finally {
    await running.stop();
    removeDir(dir);
  }
});

test('data and revision survive a clean restart', async () => {
  const dir = tempDataDir();
  try {
    let running = await startCore(dir);
    let c = api(running.clients);
    await c.put('a', '1');
    const last = await c.put('b', '2');
    await c.del('a');
    await c.put('a', '1');
    const hashBefore = await c.hashKV();
    await running.stop();
    running = await startCore(dir);
    c = api(running.clients);
    assert.equal((await c.hashKV()).hash, hashBefore.hash, 'the same state hashes the same after a restart');
    assert.equal((await c.range('a')).kvs[0].value.toString(), '1');
    const next = await c.put('c', '3');
    assert.equal(next.header?.revision, (last.header?.revision ?? 0n) + 3n);
    assert.equal(next.header?.raftTerm, 3n, 'a restart starts a new term');
    await running.stop();
  } finally {
    removeDir(dir);
  }
});

test('a crash between WAL append and apply loses nothing: the entry is replayed on start', async () => {
  const dir = tempDataDir();
  try {
    // Bootstrap the member and write one key normally.
    let running = await startCore(dir);
    await api(running.clients).put('before', 'crash');
    await running.stop();

    const child = await startChild(dir, { CAIRN_FAILPOINT: 'beforeApply' });
    const clients = makeClients(`127.0.0.1:${child.port}`);
    await assert.rejects(api(clients).put('durable', 'yes'));
    closeClients(clients);
    assert.equal(await child.exited, 86, child.stderr());
    assert.match(child.stderr(), /failpoint beforeApply reached/);

    running = await startCore(dir);
    const c = api(running.clients);
    assert.equal((await c.range('durable')).kvs[0]?.value.toString(), 'yes');
    assert.equal((await c.range('before')).kvs[0]?.value.toString(), 'crash');
    const status = await c.status();
    assert.equal(status.raftAppliedIndex, status.raftIndex);
    await running.stop();
  } finally {
    removeDir(dir);
  }
});

test('kill -9 during a stream of acknowledged puts: every acknowledged key is there after restart', async (t) => {
  const dir = tempDataDir();
  try {
    const child = await startChild(dir);
    const clients = makeClients(`127.0.0.1:${child.port}`);
    const c = api(clients);
    const acknowledged: string[] = [];
    const writers = 8;
    const killAfter = 300;
    let killed = false;
    const writer = async (w: number) => {
      for (let i = 0; i < 10_000 && !killed; i++) {
        const key = `k/${w}/${i}`;
        try {
          await c.put(key, `v${i}`);
          acknowledged.push(key);
        } catch {
          return;
        }
        if (acknowledged.length >= killAfter && !killed) {
          killed = true;
          child.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    assert.equal(await child.exited, 'SIGKILL');
    closeClients(clients);

    const running = await startCore(dir);
    try {
      const after = await api(running.clients).range('k/', { rangeEnd: Buffer.from('k0') });
      const present = new Set(after.kvs.map((kv) => kv.key.toString()));
      const missing = acknowledged.filter((k) => !present.has(k));
      t.diagnostic(`${acknowledged.length} acknowledged, ${present.size} present after restart`);
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged keys lost`);
      assert.ok(acknowledged.length >= killAfter);
    } finally {
      await running.stop();
    }
  } finally {
    removeDir(dir);
  }
});

test('a WAL damaged before its last record stops start-up with a message naming the segment', async () => {
  const dir = tempDataDir();
  try {
    const running = await startCore(dir);
    const c = api(running.clients);
    for (let i = 0; i < 20; i++) await c.put(`w/${i}`, 'x'.repeat(100));
    await running.stop();
    const walDir = join(dir, 'member', 'wal');
    const segment = join(walDir, readdirSync(walDir).filter((f) => f.endsWith('.wal')).sort()[0]);
    const bytes = readFileSync(segment);
    // Flip a byte inside an early entry's payload (past the metadata and snapshot records at the head).
    const at = bytes.indexOf(Buffer.from('w/3'));
    assert.ok(at > 0);
    bytes[at + 1] ^= 0xff;
    writeFileSync(segment, bytes);
    await assert.rejects(startCore(dir), (err: Error) => {
      assert.match(err.message, /wal:/);
      assert.ok(err.message.includes(basename(segment)), err.message);
      return true;
    });
  } finally {
    removeDir(dir);
  }
});

test('close answers the proposals already queued before closing the WAL', async () => {
  const dir = tempDataDir();
  try {
    let running = await startCore(dir);
    const c = api(running.clients);
    await c.put('warm', 'up');
    const puts = Array.from({ length: 50 }, (_, i) => c.put(`q/${i}`, 'v').then(() => 'ok', (err: Error) => err.message));
    // A few event-loop turns let some requests reach the server; close then races the rest.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    const closing = running.server.close();
    const outcomes = await Promise.all(puts);
    await closing;
    await running.stop();
    const acknowledged = outcomes.map((o, i) => (o === 'ok' ? `q/${i}` : undefined)).filter((k): k is string => k !== undefined);
    running = await startCore(dir);
    const present = new Set((await api(running.clients).range('q/', { rangeEnd: Buffer.from('q0') })).kvs.map((kv) => kv.key.toString()));
    assert.deepEqual(acknowledged.filter((k) => !present.has(k)), []);
    for (const o of outcomes) assert.ok(o === 'ok' || /server stopped|Cancelled|UNAVAILABLE/i.test(o), o);
    await running.stop();
  } finally {
    removeDir(dir);
  }
});
