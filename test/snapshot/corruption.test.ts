// Damaged files get an error that names what is wrong, never a crash or a wrong answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdtemp, open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KeyValuePair,
  appendSha256Trailer,
  checkSnapshotHash,
  encodeRevisionKey,
  isSnapshotError,
  openSnapshot,
  writeSnapshot,
} from '../../src/snapshot';
import { fnv64a } from '../../src/snapshot/meta';

const PAGE = 4096;

async function readEverything(path: string): Promise<{ metaPage: number; keys: number }> {
  const reader = await openSnapshot(path);
  try {
    let keys = 0;
    for await (const b of reader.buckets()) for await (const _ of b.entries) keys++;
    return { metaPage: reader.info.metaPage, keys };
  } finally {
    await reader.close();
  }
}

/** Rejects with a SnapshotError whose message matches `pattern`. */
async function assertSnapshotError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isSnapshotError(err), `a SnapshotError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

async function patch(path: string, offset: number, bytes: Buffer): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.write(bytes, 0, bytes.length, offset);
  } finally {
    await fh.close();
  }
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, offset);
    return buf;
  } finally {
    await fh.close();
  }
}

const u64 = (n: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** Offset of the value of the root bucket's entry `name` (root page is a single leaf here). */
async function bucketValueOffset(path: string, name: string): Promise<number> {
  const rootPgid = Number((await readAt(path, 16 + 16, 8)).readBigUInt64LE(0));
  const page = await readAt(path, rootPgid * PAGE, PAGE);
  const count = page.readUInt16LE(10);
  for (let i = 0; i < count; i++) {
    const at = 16 + 16 * i;
    const keyAt = at + page.readUInt32LE(at + 4);
    const ksize = page.readUInt32LE(at + 8);
    if (page.subarray(keyAt, keyAt + ksize).toString() === name) return rootPgid * PAGE + keyAt + ksize;
  }
  throw new Error(`no bucket ${name}`);
}

/** Rewrites a meta page's field and its checksum, as a valid but different meta. */
async function rewriteMeta(path: string, which: number, fieldOffset: number, value: Buffer): Promise<void> {
  const meta = await readAt(path, which * PAGE + 16, 64);
  value.copy(meta, fieldOffset);
  meta.writeBigUInt64LE(fnv64a(meta.subarray(0, 56)), 56);
  await patch(path, which * PAGE + 16, meta);
}

const keyBucket: KeyValuePair[] = Array.from({ length: 2000 }, (_, i) => [encodeRevisionKey({ main: i + 2, sub: 0 }), Buffer.alloc(60, i % 256)]);

test('damaged snapshots are refused with an error naming the damage', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-bad-'));
  try {
    const good = join(dir, 'good.db');
    await writeSnapshot(
      [
        { name: 'key', entries: keyBucket },
        { name: 'meta', entries: [[Buffer.from('consistent_index'), u64(7)]] },
      ],
      good,
    );
    const { size } = await stat(good);
    const highWater = size / PAGE;
    assert.deepEqual(await readEverything(good), { metaPage: 0, keys: 2001 });
    let n = 0;
    const copy = async (): Promise<string> => {
      const path = join(dir, `bad-${n++}.db`);
      await copyFile(good, path);
      return path;
    };

    await t.test('not a bbolt file', async () => {
      const text = join(dir, 'text');
      await writeFile(text, 'this is not a database, but it is long enough to hold a meta page header...........');
      await assertSnapshotError(openSnapshot(text), /^snapshot: bad magic/);
      const empty = join(dir, 'empty');
      await writeFile(empty, '');
      await assertSnapshotError(openSnapshot(empty), /^snapshot: file truncated/);
    });

    await t.test('bad magic in both metas', async () => {
      const path = await copy();
      await patch(path, 16, u64(0));
      await patch(path, PAGE + 16, u64(0));
      await assertSnapshotError(openSnapshot(path), /^snapshot: bad magic in meta page 0/);
    });

    await t.test('a flipped byte in one meta: the other one is used, as bbolt does', async () => {
      const path = await copy();
      await patch(path, 16 + 40, Buffer.from([0x7f]));
      assert.deepEqual(await readEverything(path), { metaPage: 1, keys: 2001 });
    });

    await t.test('a flipped byte in both metas', async () => {
      const path = await copy();
      await patch(path, 16 + 40, Buffer.from([0x7f]));
      await patch(path, PAGE + 16 + 40, Buffer.from([0x7f]));
      await assertSnapshotError(openSnapshot(path), /^snapshot: meta checksum mismatch in meta page 0/);
    });

    await t.test('truncated file', async () => {
      const path = await copy();
      await truncate(path, size / 2);
      await assertSnapshotError(openSnapshot(path), new RegExp(`^snapshot: file truncated \\(${size / 2} bytes, but the high water mark of ${highWater} pages`));
    });

    await t.test('a bucket root beyond the high water mark', async () => {
      const path = await copy();
      await patch(path, await bucketValueOffset(path, 'key'), u64(10_000));
      await assertSnapshotError(readEverything(path), new RegExp(`^snapshot: page 10000 out of bounds \\(high water mark ${highWater}\\)`));
    });

    await t.test('a page reachable twice', async () => {
      const path = await copy();
      const rootOfKey = Number((await readAt(path, await bucketValueOffset(path, 'key'), 8)).readBigUInt64LE(0));
      const branch = await readAt(path, rootOfKey * PAGE, PAGE);
      assert.equal(branch.readUInt16LE(8), 0x01, 'the key bucket root is a branch page');
      const firstChild = branch.readBigUInt64LE(16 + 8);
      await patch(path, rootOfKey * PAGE + 16 + 16 + 8, u64(firstChild));
      await assertSnapshotError(readEverything(path), new RegExp(`^snapshot: page ${firstChild} is reachable more than once`));
    });

    await t.test('keys out of order', async () => {
      const path = await copy();
      const rootOfKey = Number((await readAt(path, await bucketValueOffset(path, 'key'), 8)).readBigUInt64LE(0));
      const leaf = Number((await readAt(path, rootOfKey * PAGE + 16 + 8, 8)).readBigUInt64LE(0));
      const page = await readAt(path, leaf * PAGE, PAGE);
      const secondKeyAt = leaf * PAGE + 16 + 16 + page.readUInt32LE(16 + 16 + 4);
      await patch(path, secondKeyAt, Buffer.alloc(8)); // revision 0: before the first key
      await assertSnapshotError(readEverything(path), /^snapshot: page \d+ \(bucket "key"\) element 1: key 0+5f0+ is not after/);
    });

    await t.test('a page neither reachable nor free', async () => {
      const path = await copy();
      await appendFile(path, Buffer.alloc(PAGE));
      for (const which of [0, 1]) await rewriteMeta(path, which, 40, u64(highWater + 1));
      await assertSnapshotError(readEverything(path), new RegExp(`^snapshot: page ${highWater} is neither reachable nor in the freelist`));
    });

    await t.test('a freelist that frees a page in use, or one page twice', async () => {
      const inUse = await copy();
      await patch(inUse, 2 * PAGE + 10, Buffer.from([1, 0])); // freelist count 1 ...
      await patch(inUse, 2 * PAGE + 16, u64(3)); // ... page 3, a leaf of the key bucket
      await assertSnapshotError(readEverything(inUse), /^snapshot: page 3 is both in use and in the freelist/);
      const twice = await copy();
      await appendFile(twice, Buffer.alloc(PAGE));
      for (const which of [0, 1]) await rewriteMeta(twice, which, 40, u64(highWater + 1));
      await patch(twice, 2 * PAGE + 10, Buffer.from([2, 0]));
      await patch(twice, 2 * PAGE + 16, Buffer.concat([u64(highWater), u64(highWater)]));
      await assertSnapshotError(readEverything(twice), new RegExp(`^snapshot: page ${highWater} freed twice in the freelist`));
    });

    await t.test('a page of the wrong type', async () => {
      const path = await copy();
      await patch(path, await bucketValueOffset(path, 'key'), u64(2)); // the freelist page
      await assertSnapshotError(readEverything(path), /^snapshot: page 2: unexpected page type freelist, want branch or leaf/);
    });

    await t.test('sha256 trailer: missing, wrong, skipped', async () => {
      const path = await copy();
      await assertSnapshotError(checkSnapshotHash(path), /^snapshot: missing sha256 trailer/);
      assert.deepEqual(await checkSnapshotHash(path, { skipHashCheck: true }), { dbSize: size, hasTrailer: false, verified: false });
      await appendSha256Trailer(path);
      assert.deepEqual(await checkSnapshotHash(path), { dbSize: size, hasTrailer: true, verified: true });
      assert.equal((await readEverything(path)).keys, 2001, 'the reader ignores the trailer');
      await patch(path, 3 * PAGE + 100, Buffer.from([0xee]));
      await assertSnapshotError(checkSnapshotHash(path), /^snapshot: sha256 mismatch/);
      assert.deepEqual(await checkSnapshotHash(path, { skipHashCheck: true }), { dbSize: size, hasTrailer: true, verified: false });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
