// snapshot restore: a snapshot saved from real etcd (keys with history, a delete, a lease) restored
// by cairnctl into a new data dir, then cairn started on it serves every key with etcd's revisions;
// damaged files are refused and leave nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runCtl, type CtlIo } from '../../src/ctl';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { freePorts } from '../support/ports';
import { startCairn, hasEtcdctl, startLoneCairn } from '../cli/cairn-process';

function etcdctl(endpoint: string, args: string[]): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('etcdctl', ['--endpoints', endpoint, '--command-timeout=5s', ...args], { env: { PATH: process.env.PATH, ETCDCTL_API: '3' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ stdout, code }); });
  });
}

async function cairnctl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const io: CtlIo = {
    env: { PATH: process.env.PATH },
    output: { out: (d) => { stdout += Buffer.from(d).toString(); }, err: (t) => { stderr += t; } },
    readStdin: async () => Buffer.alloc(0),
    readLine: async () => null,
  };
  const code = await runCtl(args, io);
  return { stdout, stderr, code };
}

/** key -> create_revision, mod_revision, version, value, lease presence: what must survive. */
function keysOf(json: string): string[] {
  const kvs = (JSON.parse(json.replace(/"lease":\d+/g, '"lease":1')) as { kvs?: Record<string, unknown>[] }).kvs ?? [];
  return kvs.map((kv) => JSON.stringify(kv));
}

const skip = !hasRealEtcd() || !hasEtcdctl() ? 'needs Debian etcd-server and etcd-client' : false;

interface Source {
  readonly endpoint: string;
  stop(): Promise<unknown>;
}

const startCairnSource = (): Promise<Source> => startLoneCairn();

test('snapshot restore: etcd snapshot -> cairnctl restore -> cairn serves every key with its revisions', { skip, timeout: 120_000 }, () => restoreRoundTrip(startRealEtcd));

test('snapshot restore: cairn snapshot -> cairnctl restore -> cairn serves every key with its revisions', { skip, timeout: 120_000 }, () => restoreRoundTrip(startCairnSource));

async function restoreRoundTrip(startSource: () => Promise<Source>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-restore-'));
  const etcd = await startSource();
  try {
    const ep = etcd.endpoint;
    for (const args of [['put', 'a', '1'], ['put', 'a', '2'], ['put', 'b', 'x'], ['put', 'c', 'gone'], ['del', 'c'], ['put', 'd/e', 'deep'], ['put', 'a', '3']]) {
      assert.equal((await etcdctl(ep, args)).code, 0, args.join(' '));
    }
    const grant = await etcdctl(ep, ['lease', 'grant', '3000']);
    const lease = /lease ([0-9a-f]+) granted/.exec(grant.stdout)?.[1];
    assert.ok(lease, grant.stdout);
    assert.equal((await etcdctl(ep, ['put', 'leased', 'v', `--lease=${lease}`])).code, 0);
    const want = keysOf((await etcdctl(ep, ['get', '', '--from-key', '-w', 'json'])).stdout);
    const wantOld = (await etcdctl(ep, ['get', 'a', '--rev=2', '--print-value-only'])).stdout;
    const snap = join(dir, 'etcd.db');
    assert.equal((await etcdctl(ep, ['snapshot', 'save', snap])).code, 0);
    await etcd.stop();

    const [client, peer] = await freePorts(2);
    const c = `http://127.0.0.1:${client}`;
    const p = `http://127.0.0.1:${peer}`;
    const dataDir = join(dir, 'restored');
    const restore = await cairnctl(['snapshot', 'restore', snap, '--data-dir', dataDir, '--name', 'm1', '--initial-cluster', `m1=${p}`, '--initial-cluster-token', 'tok', '--initial-advertise-peer-urls', p]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['etcd.db', 'restored'], 'no temp dir left beside the data dir');

    const again = await cairnctl(['snapshot', 'restore', snap, '--data-dir', dataDir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /data-dir ".*restored" exists/);

    const cairn = await startCairn({ dataDir: dir, args: ['--data-dir', dataDir, '--name', 'm1', '--listen-client-urls', c, '--advertise-client-urls', c, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `m1=${p}`, '--initial-cluster-token', 'tok'] });
    try {
      const got = keysOf((await etcdctl(c, ['get', '', '--from-key', '-w', 'json'])).stdout);
      assert.deepEqual(got, want);
      assert.equal((await etcdctl(c, ['get', 'a', '--rev=2', '--print-value-only'])).stdout, wantOld, 'history survives');
      const ttl = await etcdctl(c, ['lease', 'timetolive', lease, '--keys']);
      assert.match(ttl.stdout, /granted with TTL\(3000s\).*attached keys\(\[leased\]\)/);
      const members = await etcdctl(c, ['member', 'list']);
      assert.match(members.stdout, new RegExp(`, started, m1, ${p}, ${c}, false`));
      assert.equal(members.stdout.trim().split('\n').length, 1, 'a fresh membership');
    } finally {
      await cairn.stop();
    }
  } finally {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('snapshot restore and status refuse damaged files and leave nothing behind', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-restore-bad-'));
  const etcd = await startRealEtcd();
  try {
    for (let i = 0; i < 50; i++) await etcdctl(etcd.endpoint, ['put', `k${i}`, 'v'.repeat(200)]);
    const snap = join(dir, 'good.db');
    assert.equal((await etcdctl(etcd.endpoint, ['snapshot', 'save', snap])).code, 0);
    const bytes = readFileSync(snap);

    const truncated = join(dir, 'truncated.db');
    writeFileSync(truncated, bytes);
    truncateSync(truncated, bytes.length - 4096 - 32);
    const corrupt = join(dir, 'corrupt.db');
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(corrupt, flipped);

    for (const [file, extra, pattern] of [
      [truncated, [], /missing sha256 trailer/],
      [truncated, ['--skip-hash-check'], /truncated|page|bucket/],
      [corrupt, [], /sha256 mismatch/],
      [join(dir, 'nosuch.db'), [], /no such file/],
    ] as [string, string[], RegExp][]) {
      const target = join(dir, 'out');
      const r = await cairnctl(['snapshot', 'restore', file, '--data-dir', target, ...extra]);
      assert.equal(r.code, 1, `${file} ${extra.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.ok(!existsSync(target), 'no data dir');
      assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.')), [], 'no temp dir');
    }
    const status = await cairnctl(['snapshot', 'status', truncated]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /^Error: .*truncated/);
  } finally {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
