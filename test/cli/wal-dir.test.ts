// --wal-dir, as etcd 3.4: the WAL lives in the dedicated directory (a disk of its own) and a restart
// reads it from there; a data dir whose WAL is still in member/wal is refused under another --wal-dir;
// `snapshot restore --wal-dir` refuses an existing directory with etcdctl's words, and the member
// started on the restored data dir with that --wal-dir makes its WAL there and serves the data.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdctl, hasEtcdctl, runCairnSync, startCairn } from './cairn-process';
import { freePorts } from '../support/ports';
import { run } from '../ctl/ctl-process';

const skip = !hasEtcdctl() && 'etcdctl is not installed';

async function memberArgs(dataDir: string, walDir?: string): Promise<{ args: string[]; endpoint: string }> {
  const [client, peer] = await freePorts(2);
  const c = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  const args = ['--data-dir', dataDir, '--listen-client-urls', c, '--advertise-client-urls', c, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `default=${p}`];
  return { args: walDir === undefined ? args : [...args, '--wal-dir', walDir], endpoint: `127.0.0.1:${client}` };
}

function segments(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.wal')) : [];
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-wal-dir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the WAL goes to --wal-dir and a restart after SIGKILL reads it from there', { skip, timeout: 90_000 }, async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const walDir = join(dir, 'wal-disk', 'wal');
  const member = await memberArgs(dataDir, walDir);
  const first = await startCairn({ dataDir: dir, args: member.args });
  assert.equal(etcdctl(member.endpoint, ['put', 'k', 'v']).status, 0);
  await first.stop('SIGKILL');
  assert.ok(segments(walDir).length > 0, 'segments in --wal-dir');
  assert.ok(!existsSync(join(dataDir, 'member', 'wal')), 'nothing in member/wal');

  const again = await startCairn({ dataDir: dir, args: member.args });
  try {
    assert.equal(etcdctl(member.endpoint, ['get', 'k', '--print-value-only']).stdout, 'v\n');
  } finally {
    await again.stop();
  }
});

test('a data dir whose WAL is in member/wal does not start under another --wal-dir', { skip, timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const plain = await memberArgs(dataDir);
  await (await startCairn({ dataDir: dir, args: plain.args })).stop();
  const elsewhere = join(dir, 'elsewhere');
  const moved = runCairnSync((await memberArgs(dataDir, elsewhere)).args);
  assert.notEqual(moved.status, 0);
  assert.match(moved.stderr, new RegExp(`the WAL is in ${join(dataDir, 'member', 'wal')} but --wal-dir is ${elsewhere}: move the WAL's files there, or start without --wal-dir`));
  assert.deepEqual(segments(elsewhere), [], 'nothing made there');
});

test('snapshot restore --wal-dir: refused when it exists, as etcdctl; the member made on the restore writes its WAL there', { skip, timeout: 90_000 }, async (t) => {
  const dir = tempDir(t);
  const source = await memberArgs(join(dir, 'source'));
  const proc = await startCairn({ dataDir: dir, args: source.args });
  try {
    assert.equal(etcdctl(source.endpoint, ['put', 'restored', 'yes']).status, 0);
    assert.equal(etcdctl(source.endpoint, ['snapshot', 'save', join(dir, 'snap.db')]).status, 0);
  } finally {
    await proc.stop();
  }
  const existing = join(dir, 'existing');
  mkdirSync(existing);
  const refusals = await Promise.all((['etcdctl', 'cairnctl'] as const).map((tool) =>
    run(t, tool, source.endpoint, ['snapshot', 'restore', join(dir, 'snap.db'), '--data-dir', join(dir, `by-${tool}`), '--wal-dir', existing])));
  for (const refused of refusals) assert.deepEqual({ code: refused.code, stderr: refused.stderr.trim() }, { code: 1, stderr: `Error: wal-dir "${existing}" exists` });

  const dataDir = join(dir, 'restored');
  const walDir = join(dir, 'restored-wal');
  const restored = await run(t, 'cairnctl', source.endpoint, ['snapshot', 'restore', join(dir, 'snap.db'), '--data-dir', dataDir, '--wal-dir', walDir]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.ok(!existsSync(walDir), 'the WAL is made at the first start');
  const member = await memberArgs(dataDir, walDir);
  const started = await startCairn({ dataDir: dir, args: member.args });
  try {
    assert.equal(etcdctl(member.endpoint, ['get', 'restored', '--print-value-only']).stdout, 'yes\n');
    assert.ok(segments(walDir).length > 0);
    assert.ok(!existsSync(join(dataDir, 'member', 'wal')));
  } finally {
    await started.stop();
  }
});
