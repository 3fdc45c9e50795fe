// 100,000 keys through the writer and the reader, each in its own child process, with peak RSS
// measured: it must stay far below the size of the data, since both stream page by page. Then
// the same file goes through real etcd (restore, serve, snapshot save) and etcd's snapshot reads
// back with the same key bucket. CAIRN_SNAPSHOT_LARGE_KEYS changes the count for an opt-in run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/ports';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { etcdctl, etcdctlSnapshotStatus } from './etcdctl';

const run = promisify(execFile);
const KEYS = Number(process.env.CAIRN_SNAPSHOT_LARGE_KEYS ?? 100_000);
const VALUE_SIZE = 900;
const MiB = 1024 * 1024;
const skip = hasRealEtcd() ? false : 'Debian etcd-server is not installed';

/** Runs large-child in `mode` on DIR/large.db; returns its JSON report. */
async function child(mode: string, dir: string): Promise<Record<string, number>> {
  const script = join(__dirname, `large-child${extname(__filename)}`);
  const loader = extname(__filename) === '.ts' ? ['--import', 'tsx'] : [];
  const { stdout } = await run(process.execPath, [...loader, script, mode, dir, String(KEYS), String(VALUE_SIZE)], {
    env: { ...process.env, CAIRN_SNAPSHOT_CHILD: '1' },
    timeout: 300_000,
  });
  return JSON.parse(stdout) as Record<string, number>;
}

const mib = (kib: number): string => (kib / 1024).toFixed(1);

test(`${KEYS} keys: bounded memory both ways, and through real etcd and back`, { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-large-'));
  try {
    const ours = join(dir, 'ours');
    await mkdir(ours);
    const baseline = await child('baseline', ours);
    const written = await child('write', ours);
    const read = await child('read', ours);
    assert.equal(written.keys, KEYS + 3); // plus consistent_index, clusterVersion, authRevision
    assert.equal(read.keys, written.keys);
    assert.equal(read.mismatches, 0);
    assert.equal(read.revision, KEYS + 1);
    const file = join(ours, 'large.db');
    const status = await etcdctlSnapshotStatus(file);
    assert.deepEqual(status, { hash: read.hash, revision: read.revision, totalKey: read.totalKey, totalSize: read.totalSize });

    const extraWrite = (written.maxRssKiB - baseline.maxRssKiB) * 1024;
    const extraRead = (read.maxRssKiB - baseline.maxRssKiB) * 1024;
    t.diagnostic(
      `file ${(written.size / MiB).toFixed(1)} MiB; peak RSS: baseline ${mib(baseline.maxRssKiB)} MiB, ` +
        `write ${mib(written.maxRssKiB)} MiB (+${(extraWrite / MiB).toFixed(1)}) in ${written.ms} ms, ` +
        `read+status ${mib(read.maxRssKiB)} MiB (+${(extraRead / MiB).toFixed(1)}) in ${read.ms} ms`,
    );
    // Holding the data would cost at least the file size; streaming costs a small constant.
    assert.ok(written.size > 80 * MiB || KEYS < 100_000, 'the data set is large enough to show the bound');
    assert.ok(extraWrite < 64 * MiB, `writer peak RSS grew by ${(extraWrite / MiB).toFixed(1)} MiB`);
    assert.ok(extraRead < 64 * MiB, `reader peak RSS grew by ${(extraRead / MiB).toFixed(1)} MiB`);

    // Through real etcd: restore our file, serve it, save etcd's own snapshot, read that back.
    const peerPort = await freePort();
    const dataDir = join(dir, 'etcd');
    await etcdctl(
      ['snapshot', 'restore', file, '--name', 'big', '--data-dir', dataDir,
        '--initial-cluster', `big=http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`],
      { timeoutMs: 120_000 },
    );
    const etcd = await startRealEtcd({ dataDir, name: 'big' });
    const theirs = join(dir, 'theirs');
    await mkdir(theirs);
    try {
      const ctl = (...args: string[]): Promise<string> => etcdctl(['--endpoints', etcd.endpoint, ...args], { timeoutMs: 120_000 });
      const count = JSON.parse(await ctl('get', 'key/', '--prefix', '--keys-only', '--limit', '1', '-w', 'json')) as { count: number; header: { revision: number } };
      assert.deepEqual([count.count, count.header.revision], [KEYS, KEYS + 1]);
      const last = `key/${String(KEYS - 1).padStart(8, '0')}`;
      assert.match(await ctl('get', last, '--print-value-only'), new RegExp(`^value-${KEYS - 1}`));
      await ctl('snapshot', 'save', join(theirs, 'large.db'));
    } finally {
      await etcd.stop();
    }
    const back = await child('read', theirs);
    assert.equal(back.mismatches, 0, "etcd's snapshot holds our key bucket unchanged");
    assert.equal(back.revision, KEYS + 1);
    const theirStatus = await etcdctlSnapshotStatus(join(theirs, 'large.db'));
    assert.deepEqual(theirStatus, { hash: back.hash, revision: back.revision, totalKey: back.totalKey, totalSize: back.totalSize });
    t.diagnostic(`etcd's snapshot ${(back.totalSize / MiB).toFixed(1)} MiB: read+status peak RSS ${mib(back.maxRssKiB)} MiB in ${back.ms} ms`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
