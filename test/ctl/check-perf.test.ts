// check perf: a short 's' load against real etcd reports etcdctl's verdict lines and cleans up its
// prefix; the verdict rules themselves on fixed figures. check datascale: its lines on both servers,
// and the real etcdctl's datascale reading cairn's /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCtl, type CtlIo } from '../../src/ctl';
import { perfVerdict } from '../../src/ctl/commands/check';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { startLoneCairn } from '../cli/cairn-process';
import { spawnSync } from 'node:child_process';

async function cairnctl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const io: CtlIo = {
    env: { PATH: process.env.PATH },
    output: { out: (d) => { stdout += Buffer.from(d).toString(); }, err: (t) => { stderr += t; } },
    readStdin: async () => Buffer.alloc(0),
    readLine: async () => null,
  };
  return { code: await runCtl(args, io), stdout, stderr };
}

test('perfVerdict: etcdctl thresholds', () => {
  const good = perfVerdict({ rps: 149.2, slowest: 0.0123, stddev: 0.002, errors: new Map() }, 150);
  assert.deepEqual(good, { ok: true, lines: ['PASS: Throughput is 150 writes/s', 'PASS: Slowest request took 0.012300s', 'PASS: Stddev is 0.002000s', 'PASS'] });
  const bad = perfVerdict({ rps: 100, slowest: 0.7, stddev: 0.2, errors: new Map([['etcdserver: too many requests', 3]]) }, 150);
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.lines, [
    'FAIL: too many errors', 'FAIL: ERROR(etcdserver: too many requests) -> 3', 'FAIL: Throughput too low: 101 writes/s',
    'Slowest request took too long: 0.700000s', 'Stddev too high: 0.200000s', 'FAIL',
  ]);
});

const skip = hasRealEtcd() ? false : 'needs Debian etcd-server';

test('check perf --load s against real etcd', { skip, timeout: 60_000 }, async () => {
  const etcd = await startRealEtcd();
  try {
    const ep = `--endpoints=${etcd.endpoint}`;
    const r = await cairnctl([ep, 'check', 'perf', '--load=s', '--duration=2', '--auto-compact', '--auto-defrag']);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^Compacting with revision \d+$/);
    assert.match(lines[1], /^Compacted with revision \d+$/);
    assert.match(lines[2], /^Defragmenting "/);
    assert.match(lines[3], /^Defragmented "/);
    assert.match(lines[4], /^(PASS: Throughput is|FAIL: Throughput too low:) \d+ writes\/s$/);
    assert.match(lines[5], /^(PASS: Slowest request took|Slowest request took too long:) \d+\.\d{6}s$/);
    assert.match(lines[6], /^(PASS: Stddev is|Stddev too high:) \d+\.\d{6}s$/);
    assert.equal(r.code, lines[7] === 'PASS' ? 0 : 1, r.stdout);
    const left = await cairnctl([ep, 'get', '/etcdctl-check-perf/', '--prefix', '--keys-only']);
    assert.equal(left.stdout, '', 'the load removes its keys');
    const unknown = await cairnctl([ep, 'check', 'perf', '--load=huge']);
    assert.deepEqual([unknown.code, unknown.stderr], [4, 'Error: unknown load option huge\n']);
  } finally {
    await etcd.stop();
  }
});

test('check datascale --load s: cairnctl on real etcd and on cairn, etcdctl on cairn; the keys are removed', { skip, timeout: 180_000 }, async (t) => {
  const etcd = await startRealEtcd();
  t.after(() => etcd.stop());
  const cairn = await startLoneCairn();
  t.after(() => cairn.stop());
  const start = 'Start data scale check for work load [10000 key-value pairs, 1024 bytes per key-value, 50 concurrent clients].';
  const pass = /^PASS: Approximate system memory used : -?\d+\.\d\d MB\.$/;
  for (const endpoint of [etcd.endpoint, cairn.url]) {
    const r = await cairnctl([`--endpoints=${endpoint}`, 'check', 'datascale', '--load=s', '--auto-compact']);
    const lines = r.stdout.trim().split('\n');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(lines[0], start);
    assert.match(lines[1], /^Compacting with revision \d+$/);
    assert.match(lines[3], pass);
    assert.equal((await cairnctl([`--endpoints=${endpoint}`, 'get', '/etcdctl-check-datascale/', '--prefix', '--count-only', '-w', 'fields'])).stdout.match(/"Count" : (\d+)/)?.[1], '0');
  }
  // etcdctl reads cairn's /metrics as etcd's
  const real = spawnSync('etcdctl', [`--endpoints=${cairn.url}`, 'check', 'datascale', '--load=s'], { env: { PATH: process.env.PATH, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(real.status, 0, real.stdout + real.stderr);
  assert.ok(real.stdout.includes(start), real.stdout);
  assert.match(real.stdout.trim().split('\n').at(-1) ?? '', pass);
  const unknown = await cairnctl([`--endpoints=${cairn.url}`, 'check', 'datascale', '--load=huge']);
  assert.deepEqual([unknown.code, unknown.stderr], [4, 'Error: unknown load option huge\n']);
});
