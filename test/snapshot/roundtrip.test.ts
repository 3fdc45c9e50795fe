import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyValuePair, type SnapshotBucket, openSnapshot, writeSnapshot } from '../../src/snapshot';
import { etcdctlSnapshotStatus } from './etcdctl';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** n pairs with keys of keyLen bytes (prefix, padding, zero-padded counter) in ascending order. */
function pairs(n: number, keyLen: number, valueLen: number, prefix = 'k'): KeyValuePair[] {
  const out: KeyValuePair[] = [];
  const digits = Math.min(keyLen - prefix.length, 10);
  for (let i = 0; i < n; i++) {
    const key = Buffer.alloc(keyLen, '.');
    key.write(prefix, 0);
    key.write(String(i).padStart(digits, '0'), keyLen - digits);
    out.push([key, Buffer.alloc(valueLen, i % 251)]);
  }
  return out;
}

async function readAll(path: string): Promise<Map<string, KeyValuePair[]>> {
  const reader = await openSnapshot(path);
  try {
    const out = new Map<string, KeyValuePair[]>();
    for await (const bucket of reader.buckets()) {
      const got: KeyValuePair[] = [];
      for await (const pair of bucket.entries) got.push(pair);
      out.set(bucket.name, got);
    }
    return out;
  } finally {
    await reader.close();
  }
}

const cases: Record<string, SnapshotBucket[]> = {
  'no buckets': [],
  'empty and inline buckets': [
    { name: 'meta', entries: [[Buffer.from('consistent_index'), Buffer.alloc(8, 1)]] },
    { name: 'alarm', entries: [] },
  ],
  'a bucket just over the inline limit': [{ name: 'b', entries: pairs(40, 4, 10) }],
  'many keys: several branch levels': [{ name: 'key', entries: pairs(60000, 17, 40) }],
  'values larger than a page (overflow pages)': [
    { name: 'big', entries: [...pairs(3, 8, 3 * 4096 + 100, 'a'), ...pairs(2, 9, 10, 'b')] },
  ],
  'long keys: branch nodes with overflow': [{ name: 'wide', entries: pairs(50, 5000, 1) }],
};

for (const [name, buckets] of Object.entries(cases)) {
  test(`round trip: ${name}`, async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'db');
      const result = await writeSnapshot(buckets, path);
      assert.equal((await stat(path)).size, result.size);
      assert.equal(result.size % 4096, 0);
      const status = await etcdctlSnapshotStatus(path); // real bbolt opens it and its check passes
      assert.equal(status.totalSize, result.size);
      assert.equal(status.totalKey, result.keys);
      const got = await readAll(path);
      const want = [...buckets].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
      assert.deepEqual([...got.keys()], want.map((b) => b.name));
      for (const b of want) {
        const entries = b.entries as KeyValuePair[];
        const read = got.get(b.name) ?? [];
        assert.equal(read.length, entries.length, b.name);
        const mismatch = read.findIndex(([k, v], i) => Buffer.compare(k, entries[i][0]) !== 0 || Buffer.compare(v, entries[i][1]) !== 0);
        assert.equal(mismatch, -1, `${b.name}: first differing pair`);
      }
    });
  });
}

test('a reader can leave a bucket early and still checks the whole file', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'db');
    await writeSnapshot([{ name: 'a', entries: pairs(5000, 10, 30) }, { name: 'b', entries: pairs(3, 4, 4) }], path);
    const reader = await openSnapshot(path);
    const seen: string[] = [];
    for await (const bucket of reader.buckets()) {
      seen.push(bucket.name);
      for await (const _ of bucket.entries) break;
    }
    await reader.close();
    assert.deepEqual(seen, ['a', 'b']);
  });
});

test('the writer rejects keys out of order, duplicate buckets and an empty key', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'db');
    const unsorted: KeyValuePair[] = [[Buffer.from('b'), Buffer.from('')], [Buffer.from('a'), Buffer.from('')]];
    await assert.rejects(writeSnapshot([{ name: 'x', entries: unsorted }], path), /snapshot: keys out of order in bucket "x": 61 after 62/);
    await assert.rejects(stat(path), /ENOENT/, 'a failed write leaves no file');
    await assert.rejects(stat(`${path}.part`), /ENOENT/, 'nor a partial one');
    await assert.rejects(
      writeSnapshot([{ name: 'x', entries: [] }, { name: 'x', entries: [] }], path),
      /snapshot: duplicate bucket "x"/,
    );
    await assert.rejects(writeSnapshot([{ name: 'x', entries: [[Buffer.alloc(0), Buffer.from('v')]] }], path), /snapshot: empty key in bucket "x"/);
  });
});

test('other page sizes: 16 KiB pages are written and read, and real bbolt accepts them', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'db');
    const entries = pairs(3000, 12, 50);
    const result = await writeSnapshot([{ name: 'b', entries }], path, { pageSize: 16384 });
    assert.equal(result.size % 16384, 0);
    assert.equal((await etcdctlSnapshotStatus(path)).totalKey, 3000);
    const got = (await readAll(path)).get('b') ?? [];
    assert.equal(got.length, 3000);
    assert.equal(Buffer.compare(got[2999][0], entries[2999][0]), 0);
    await assert.rejects(writeSnapshot([], path, { pageSize: 1000 }), /^SnapshotError: snapshot: invalid page size 1000$/);
    assert.equal((await stat(path)).size, result.size, 'a refused write leaves an existing file alone');
  });
});
