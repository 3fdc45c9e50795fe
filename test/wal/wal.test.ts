import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Wal, WalError, walExists } from '../../src/wal';
import { frameBytes } from '../../src/wal/frame';
import { META, dataFor, entries, tempWalDir } from './helpers';

function reopen(dir: string, snapshot?: { index: number; term: number }) {
  const wal = Wal.open(dir, { snapshot });
  return { wal, contents: wal.readAll() };
}

test('entries, hard state and metadata round-trip through close and open', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  assert.equal(walExists(dir), false);
  const wal = Wal.create(dir, META);
  assert.equal(walExists(dir), true);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.wal')), ['0000000000000000-0000000000000000.wal']);
  await wal.save({ term: 1, vote: 0x8e9e05c52164694dn, commit: 0 }, entries(1, 3));
  await wal.save({ term: 2, vote: (1n << 64n) - 1n, commit: 3 }, entries(4, 6, 2));
  await wal.close();

  const { wal: again, contents } = reopen(dir);
  assert.deepEqual(contents.metadata, META);
  assert.deepEqual(contents.hardState, { term: 2, vote: (1n << 64n) - 1n, commit: 3 });
  assert.deepEqual(contents.entries, [...entries(1, 3), ...entries(4, 6, 2)]);
  assert.deepEqual(contents.snapshots, [{ index: 0, term: 0 }]);
  await again.close();
  const mode = fs.statSync(`${dir}/0000000000000000-0000000000000000.wal`).mode & 0o777;
  assert.equal(mode, 0o600);
});

test('a new log has an empty hard state and no entries', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await Wal.create(dir, META).close();
  const { wal, contents } = reopen(dir);
  assert.deepEqual(contents, { metadata: META, hardState: { term: 0, vote: 0n, commit: 0 }, entries: [], snapshots: [{ index: 0, term: 0 }] });
  await wal.close();
});

test('create refuses a directory that already holds a log', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await Wal.create(dir, META).close();
  assert.throws(() => Wal.create(dir, META), (err: unknown) => err instanceof WalError && err.code === 'exists' && err.message === `wal: ${dir} already holds a wal`);
});

test('create clears leftovers of a crashed log but refuses other files', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/0.tmp`, 'x');
  fs.writeFileSync(`${dir}/0000000000000000-0000000000000000.wal.broken`, 'x');
  await Wal.create(dir, META).close();
  assert.deepEqual(fs.readdirSync(dir), ['0000000000000000-0000000000000000.wal']);
  const other = `${dir}-other`;
  fs.mkdirSync(other);
  fs.writeFileSync(`${other}/notes.txt`, 'x');
  assert.throws(() => Wal.create(other, META), { message: `wal: ${other} is not empty (it holds notes.txt)` });
  assert.equal(fs.readFileSync(`${other}/notes.txt`, 'utf8'), 'x');
  assert.equal(fs.existsSync(`${other}.tmp`), false);
});

test('open of a directory without segments says so', (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  assert.throws(() => Wal.open(dir), { message: `wal: no wal files in ${dir}` });
});

test('appending needs readAll first, and readAll runs once', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await Wal.create(dir, META).close();
  const wal = Wal.open(dir);
  await assert.rejects(wal.save(undefined, entries(1, 1)), { message: 'wal: readAll must complete before appending' });
  wal.readAll();
  assert.throws(() => wal.readAll(), { message: 'wal: readAll must be called once, right after open' });
  await wal.save(undefined, entries(1, 1));
  await wal.close();
  await assert.rejects(wal.save(undefined, entries(2, 2)), { message: 'wal: closed' });
});

test('a later entry replaces the one at the same index and everything after it', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META);
  await wal.save({ term: 1, vote: 1n, commit: 1 }, entries(1, 5, 1));
  await wal.save({ term: 2, vote: 2n, commit: 2 }, entries(3, 4, 2));
  await wal.close();
  const { wal: again, contents } = reopen(dir);
  assert.deepEqual(
    contents.entries.map((e) => [e.index, e.term]),
    [[1, 1], [2, 1], [3, 2], [4, 2]],
  );
  await again.close();
});

test('open at a snapshot returns only the entries after it and checks the marker', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META);
  await wal.save({ term: 3, vote: 1n, commit: 10 }, entries(1, 10, 3));
  await wal.saveSnapshot({ index: 5, term: 3, confState: new Uint8Array([8, 1, 8, 2]) });
  await wal.save({ term: 3, vote: 1n, commit: 12 }, entries(11, 12, 3));
  await wal.close();

  const { wal: fromSnap, contents } = reopen(dir, { index: 5, term: 3 });
  assert.deepEqual(contents.entries.map((e) => e.index), [6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(contents.snapshots, [{ index: 0, term: 0 }, { index: 5, term: 3, confState: new Uint8Array([8, 1, 8, 2]) }]);
  assert.deepEqual(contents.hardState, { term: 3, vote: 1n, commit: 12 });
  await fromSnap.close();

  assert.throws(() => reopen(dir, { index: 5, term: 2 }), (err: unknown) => err instanceof WalError && err.code === 'snapshot-mismatch');
  assert.throws(() => reopen(dir, { index: 7, term: 3 }), {
    message: 'wal: snapshot not found: no marker for index 7 term 3',
  });
});

test('saves issued together complete in order and share fdatasyncs', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  let syncs = 0;
  let written = 0;
  const wal = Wal.create(dir, META, { onSync: () => syncs++, onWrite: (n) => (written += n) });
  const done: number[] = [];
  const saves = [];
  for (let i = 1; i <= 100; i++) {
    saves.push(wal.save({ term: 1, vote: 1n, commit: i - 1 }, entries(i, i)).then(() => done.push(i)));
  }
  await Promise.all(saves);
  assert.deepEqual(done, Array.from({ length: 100 }, (_, i) => i + 1));
  assert.ok(syncs < 100, `${syncs} fdatasyncs for 100 saves issued in one turn`);
  assert.equal(written % 8, 0);
  assert.ok(written > 100 * 32, 'every write was counted');
  await wal.close();
  const { wal: again, contents } = reopen(dir);
  assert.deepEqual(contents.entries, entries(1, 100));
  assert.deepEqual(contents.hardState, { term: 1, vote: 1n, commit: 99 });
  await again.close();
});

test('a save that only moves the commit index waits for the next write, or close', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  let syncs = 0;
  let written = 0;
  const wal = Wal.create(dir, META, { onSync: () => syncs++, onWrite: (bytes) => (written += bytes) });
  await wal.save({ term: 1, vote: 1n, commit: 0 }, entries(1, 2));
  assert.equal(syncs, 1);
  const afterEntries = written;
  await wal.save({ term: 1, vote: 1n, commit: 2 }, []);
  assert.equal(syncs, 1);
  assert.equal(written, afterEntries, 'the commit-only hard state is not written by itself');
  await wal.save(undefined, entries(3, 3));
  assert.equal(syncs, 2);
  await wal.save({ term: 2, vote: 1n, commit: 2 }, []); // a new term is durable at once
  assert.equal(syncs, 3);
  await wal.save({ term: 2, vote: 1n, commit: 2 }, []); // unchanged: nothing to write
  await wal.save(undefined, []);
  await wal.save({ term: 2, vote: 1n, commit: 3 }, []);
  assert.equal(syncs, 3);
  await Promise.all([wal.close(), wal.close()]);
  assert.equal(syncs, 4, 'close wrote and synced the waiting hard state');
  const { wal: again, contents } = reopen(dir);
  assert.deepEqual(contents.hardState, { term: 2, vote: 1n, commit: 3 });
  assert.equal(contents.entries.length, 3);
  await again.close();
});

test('a commit-only hard state goes out with the next entries', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META);
  await wal.save({ term: 1, vote: 1n, commit: 0 }, entries(1, 2));
  await wal.save({ term: 1, vote: 1n, commit: 2 }, []);
  await wal.save(undefined, entries(3, 4));
  // Read the files as a crash would leave them: without close.
  const crashed = Wal.open(dir);
  const { hardState, entries: read } = crashed.readAll();
  await crashed.close();
  assert.deepEqual(hardState, { term: 1, vote: 1n, commit: 2 });
  assert.equal(read.length, 4);
  await wal.close().catch(() => undefined);
});

test('bad values are refused without harming the log', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META);
  await assert.rejects(wal.save(undefined, [{ term: 1, index: -1, type: 0, data: dataFor(1) }]), {
    message: 'wal: entry index must be a non-negative safe integer, got -1',
  });
  await assert.rejects(wal.save({ term: 2 ** 53, vote: 1n, commit: 0 }, []), (err: unknown) => err instanceof WalError && err.code === 'invalid-argument');
  await assert.rejects(wal.save({ term: 1, vote: -1n, commit: 0 }, []), { message: 'wal: hard state vote must be a u64 bigint, got -1' });
  await assert.rejects(wal.save(undefined, entries(2, 3)), { message: 'wal: entry index 2 does not follow 0' });
  await assert.rejects(wal.save(undefined, [...entries(1, 1), ...entries(3, 3)]), { message: 'wal: entry index 3 does not follow 1' });
  await wal.save({ term: 1, vote: 1n, commit: 0 }, entries(1, 1));
  await wal.close();
  const { wal: again, contents } = reopen(dir);
  assert.deepEqual(contents.entries, entries(1, 1));
  assert.deepEqual(contents.hardState, { term: 1, vote: 1n, commit: 0 });
  await again.close();
  assert.throws(() => Wal.create(`${dir}-x`, META, { segmentBytes: 10 }), { message: 'wal: segment size must be an integer of at least 64 bytes, got 10' });
});

test('an entry with empty data and a large type survives', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META);
  await wal.save(undefined, [{ term: 7, index: 1, type: 2 ** 32 - 1, data: new Uint8Array(0) }]);
  await wal.close();
  const { wal: again, contents } = reopen(dir);
  assert.deepEqual(contents.entries, [{ term: 7, index: 1, type: 2 ** 32 - 1, data: new Uint8Array(0) }]);
  await again.close();
});

test('after a failed write the log refuses appends and says why', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const warnings: string[] = [];
  const wal = Wal.create(dir, META, { logger: { info: () => {}, warn: (m) => warnings.push(m) } });
  await wal.save({ term: 1, vote: 1n, commit: 0 }, entries(1, 2));
  // Swap the tail for a read-only descriptor of the same file, so the next write fails for real.
  const internals = wal as unknown as { tail: { fd: number } };
  const writable = internals.tail.fd;
  internals.tail.fd = fs.openSync(`${dir}/0000000000000000-0000000000000000.wal`, 'r');
  fs.closeSync(writable);
  await assert.rejects(wal.save(undefined, entries(3, 3)), (err: unknown) => err instanceof WalError && err.code === 'write-failed' && /^wal: log is unusable after a failed write: EBADF/.test(err.message));
  await assert.rejects(wal.save(undefined, entries(4, 4)), { code: 'write-failed' });
  assert.equal(warnings.length, 1);
  await wal.close();
  const { wal: again, contents } = reopen(dir);
  assert.deepEqual(contents.entries, entries(1, 2));
  await again.close();
});

/** The bytes of the frames at the start of a segment, up to the first zero length. */
function framesLength(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length && bytes.readUInt32LE(at) > 0) at += frameBytes(bytes.readUInt32LE(at));
  return at;
}

test('every byte written is reported, the headers of new segments included', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  let written = 0;
  const wal = Wal.create(dir, META, { segmentBytes: 512, onWrite: (n) => (written += n) });
  for (let i = 1; i <= 30; i++) await wal.save({ term: 1, vote: 1n, commit: i - 1 }, entries(i, i));
  await wal.close();
  const segments = fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
  assert.ok(segments.length > 2, `${segments.length} segments: the log was cut`);
  // A cut segment ends where its data ends; the tail is preallocated: its frames end at the first zero length.
  let onDisk = 0;
  for (const [n, name] of segments.entries()) {
    const bytes = fs.readFileSync(`${dir}/${name}`);
    onDisk += n < segments.length - 1 ? bytes.length : framesLength(bytes);
  }
  assert.equal(written, onDisk);
});
