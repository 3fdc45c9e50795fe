// 100,000 keys through the writer and the reader, each in its own child process, with peak RSS
// measured: it must stay far below the size of the data, since both stream page by page.
// CAIRN_SNAPSHOT_LARGE_KEYS raises the count for a longer opt-in run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { etcdctlSnapshotStatus } from './etcdctl';

const run = promisify(execFile);
const KEYS = Number(process.env.CAIRN_SNAPSHOT_LARGE_KEYS ?? 100_000);
const VALUE_SIZE = 900;
const MiB = 1024 * 1024;

async function child(mode: string, dir: string): Promise<Record<string, number>> {
  const script = join(__dirname, `large-child${extname(__filename)}`);
  const loader = extname(__filename) === '.ts' ? ['--import', 'tsx'] : [];
  const { stdout } = await run(process.execPath, [...loader, script, mode, dir, String(KEYS), String(VALUE_SIZE)], {
    env: { ...process.env, CAIRN_SNAPSHOT_CHILD: '1' },
    timeout: 300_000,
  });
  return JSON.parse(stdout) as Record<string, number>;
}

test(`${KEYS} keys: write and read back with bounded memory`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-large-'));
  try {
    const baseline = await child('baseline', dir);
    const written = await child('write', dir);
    const read = await child('read', dir);
    assert.equal(written.keys, KEYS + 3); // plus consistent_index, clusterVersion, authRevision
    assert.equal(read.keys, written.keys);
    assert.equal(read.mismatches, 0);
    assert.equal(read.revision, KEYS + 1);
    const etcdctl = await etcdctlSnapshotStatus(join(dir, 'large.db'));
    assert.deepEqual(etcdctl, { hash: read.hash, revision: read.revision, totalKey: read.totalKey, totalSize: read.totalSize });

    const extraWrite = (written.maxRssKiB - baseline.maxRssKiB) * 1024;
    const extraRead = (read.maxRssKiB - baseline.maxRssKiB) * 1024;
    t.diagnostic(
      `file ${(written.size / MiB).toFixed(1)} MiB; peak RSS: baseline ${(baseline.maxRssKiB / 1024).toFixed(1)} MiB, ` +
        `write ${(written.maxRssKiB / 1024).toFixed(1)} MiB (+${(extraWrite / MiB).toFixed(1)}), ` +
        `read+status ${(read.maxRssKiB / 1024).toFixed(1)} MiB (+${(extraRead / MiB).toFixed(1)})`,
    );
    // Holding the data would cost at least the file size; streaming costs a small constant.
    assert.ok(written.size > 80 * MiB || KEYS < 100_000, 'the data set is large enough to show the bound');
    assert.ok(extraWrite < 64 * MiB, `writer peak RSS grew by ${(extraWrite / MiB).toFixed(1)} MiB`);
    assert.ok(extraRead < 64 * MiB, `reader peak RSS grew by ${(extraRead / MiB).toFixed(1)} MiB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
