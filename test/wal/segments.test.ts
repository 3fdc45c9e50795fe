import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Wal, WalError, scanLog, validSnapshotMarkers } from '../../src/wal';
import { decodeSegment } from '../../src/wal/decoder';
import { RecordType, decodeEntry } from '../../src/wal/record';
import { META, entries, recordingLogger, tempWalDir } from './helpers';

const SEGMENT = 4096;

function segmentNames(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
}

function entryIndexes(file: string): number[] {
  return decodeSegment(fs.readFileSync(file))
    .records.filter((r) => r.type === RecordType.Entry)
    .map((r) => decodeEntry(r.payload)!.index);
}

/** Writes entries 1..last in batches of 5 into a log with 4 KiB segments. */
async function fill(dir: string, last: number): Promise<void> {
  const wal = Wal.create(dir, META, { segmentBytes: SEGMENT, logger: recordingLogger() });
  await wal.save({ term: 1, vote: 2n, commit: 0 }, []);
  for (let i = 1; i <= last; i += 5) await wal.save(undefined, entries(i, Math.min(last, i + 4)));
  await wal.close();
}

test('segments are cut past the segment size and named after their first entry', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await fill(dir, 200);
  const names = segmentNames(dir);
  assert.ok(names.length >= 4, `expected several segments, got ${names.join(' ')}`);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left after close');
  names.forEach((name, seq) => {
    const [seqHex, indexHex] = name.replace('.wal', '').split('-');
    assert.equal(parseInt(seqHex, 16), seq);
    const indexes = entryIndexes(path.join(dir, name));
    if (seq > 0) assert.equal(parseInt(indexHex, 16), indexes[0], `${name} starts with entry ${indexes[0]}`);
    const size = fs.statSync(path.join(dir, name)).size;
    if (seq < names.length - 1) {
      assert.ok(size >= SEGMENT, `${name} was cut only after reaching the segment size`);
      assert.equal(decodeSegment(fs.readFileSync(path.join(dir, name))).end, size, `${name} ends where its data ends`);
    } else {
      assert.equal(size, SEGMENT, 'the tail is preallocated');
    }
  });
});

test('reading crosses segments, and a reopened log keeps appending and cutting', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await fill(dir, 200);
  const wal = Wal.open(dir, { segmentBytes: SEGMENT, logger: recordingLogger() });
  const first = wal.readAll();
  assert.deepEqual(first.entries, entries(1, 200));
  assert.deepEqual(first.hardState, { term: 1, vote: 2n, commit: 0 });
  const before = segmentNames(dir).length;
  for (let i = 201; i <= 400; i += 10) await wal.save({ term: 1, vote: 2n, commit: i }, entries(i, i + 9));
  await wal.close();
  assert.ok(segmentNames(dir).length > before);
  const again = Wal.open(dir, { segmentBytes: SEGMENT });
  const second = again.readAll();
  assert.deepEqual(second.entries, entries(1, 400));
  assert.deepEqual(second.hardState, { term: 1, vote: 2n, commit: 391 });
  await again.close();
});

test('releaseTo deletes the segments wholly before a snapshot and open starts from it', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await fill(dir, 200);
  const wal = Wal.open(dir, { segmentBytes: SEGMENT, logger: recordingLogger(), maxFiles: 1 });
  wal.readAll();
  await wal.saveSnapshot({ index: 150, term: 1 });
  const before = segmentNames(dir);
  const removed = await wal.releaseTo(150);
  await wal.close();

  const after = segmentNames(dir);
  assert.ok(removed.length > 0);
  assert.deepEqual([...removed, ...after], before);
  const starts = after.map((n) => parseInt(n.split('-')[1], 16));
  assert.ok(starts[0] <= 150, 'the segment holding entry 150 is kept');
  assert.ok(starts.length === 1 || starts[1] > 150, 'every segment before it is gone');

  const fromSnap = Wal.open(dir, { snapshot: { index: 150, term: 1 }, segmentBytes: SEGMENT });
  const contents = fromSnap.readAll();
  assert.deepEqual(contents.entries, entries(151, 200));
  // fill's hard state (commit 0) is in the header of every later segment; the marker's record raised its commit to 150.
  assert.deepEqual(contents.hardState, { term: 1, vote: 2n, commit: 150 }, 'the hard state survives the release');
  await fromSnap.close();
  assert.throws(() => Wal.open(dir), (err: unknown) => err instanceof WalError && err.message === 'wal: file not found which matches the snapshot index 0');
});

test('releaseTo never deletes the tail segment', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await fill(dir, 200);
  const wal = Wal.open(dir, { segmentBytes: SEGMENT, maxFiles: 1 });
  wal.readAll();
  const before = segmentNames(dir);
  const removed = await wal.releaseTo(10_000);
  assert.deepEqual(removed, before.slice(0, -1));
  await wal.save(undefined, entries(201, 201));
  await wal.saveSnapshot({ index: 201, term: 1 });
  await wal.close();
  const again = Wal.open(dir, { snapshot: { index: 201, term: 1 } });
  assert.deepEqual(again.readAll().entries, []);
  await again.close();
});

test('a gap in segment sequence numbers stops open', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await fill(dir, 200);
  const names = segmentNames(dir);
  fs.rmSync(path.join(dir, names[1]));
  assert.throws(() => Wal.open(dir), { message: `wal: segment ${names[2]} does not follow ${names[0]}: sequence numbers must increase by one` });
});

test('maxFiles (etcd\'s --max-wals) keeps the newest segment files, released or not; 0 keeps them all', async (t) => {
  for (const maxFiles of [0, 2, 3]) {
    const { dir, cleanup } = tempWalDir();
    t.after(cleanup);
    await fill(dir, 200);
    const wal = Wal.open(dir, { segmentBytes: SEGMENT, logger: recordingLogger(), maxFiles });
    wal.readAll();
    const all = segmentNames(dir);
    assert.ok(all.length > 3, `the fill makes more segments than any limit here, got ${all.length}`);
    await wal.saveSnapshot({ index: 150, term: 1 });
    const released = all.filter((_, i) => i + 1 < all.length && parseInt(all[i + 1].split('-')[1], 16) <= 150);
    const removed = await wal.releaseTo(150);
    const expected = maxFiles === 0 ? [] : released.slice(0, Math.max(0, all.length - maxFiles));
    assert.deepEqual(removed, expected, `maxFiles ${maxFiles}`);
    assert.deepEqual(segmentNames(dir), all.filter((n) => !expected.includes(n)));
    await wal.close();
    // What is kept still opens from the snapshot.
    const again = Wal.open(dir, { snapshot: { index: 150, term: 1 }, segmentBytes: SEGMENT });
    assert.deepEqual(again.readAll().entries, entries(151, 200));
    await again.close();
  }
  assert.throws(() => Wal.create('/nonexistent-never-created', META, { maxFiles: -1 }), { message: 'wal: max files must be a whole number, 0 or more, got -1' });
});

test('validSnapshotMarkers lists the markers at or below the last commit index', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META);
  // No hard state yet: the marker goes alone, and a log whose commit is behind it does not vouch for it.
  await wal.saveSnapshot({ index: 100, term: 1 });
  assert.deepEqual(validSnapshotMarkers(scanLog(dir)), [{ index: 0, term: 0 }]);
  await wal.save({ term: 1, vote: 2n, commit: 100 }, []);
  await wal.close();
  assert.deepEqual(validSnapshotMarkers(scanLog(dir)), [{ index: 0, term: 0 }, { index: 100, term: 1 }]);
});

/** A log of entries 1..200 over several segments, reopened and appendable. */
async function reopenedLog(t: { after(fn: () => void): void }): Promise<{ dir: string; wal: Wal }> {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  await fill(dir, 200);
  const wal = Wal.open(dir, { segmentBytes: SEGMENT });
  wal.readAll();
  return { dir, wal };
}

test('a snapshot marker carries the hard state, its commit raised to the marker', async (t) => {
  const { dir, wal } = await reopenedLog(t);
  await wal.save({ term: 1, vote: 2n, commit: 120 }, []); // commit only: waits for the next write
  await wal.saveSnapshot({ index: 100, term: 1 });
  assert.deepEqual(validSnapshotMarkers(scanLog(dir)), [{ index: 0, term: 0 }, { index: 100, term: 1 }]);
  // A snapshot from the leader is saved before the commit that reaches it.
  await wal.saveSnapshot({ index: 150, term: 1 });
  assert.deepEqual(validSnapshotMarkers(scanLog(dir)), [{ index: 0, term: 0 }, { index: 100, term: 1 }, { index: 150, term: 1 }]);
  await wal.save({ term: 1, vote: 2n, commit: 150 }, []); // nothing new to write
  await wal.close();
  const again = Wal.open(dir, { snapshot: { index: 150, term: 1 } });
  const { hardState } = again.readAll();
  await again.close();
  assert.deepEqual(hardState, { term: 1, vote: 2n, commit: 150 });
});

test('a segment of 200,000 small entries reads back', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META);
  const empty = new Uint8Array(0);
  for (let first = 1; first <= 200_000; first += 10_000) {
    await wal.save(undefined, Array.from({ length: 10_000 }, (_, i) => ({ term: 1, index: first + i, type: 0, data: empty })));
  }
  await wal.close();
  const again = Wal.open(dir);
  const { entries } = again.readAll();
  await again.close();
  assert.equal(entries.length, 200_000);
  assert.ok(entries.every((e, i) => e.index === i + 1));
});

test('one scan of the log serves both the choice of snapshot and the replay after it', async (t) => {
  const { dir, wal } = await reopenedLog(t);
  await wal.save({ term: 1, vote: 2n, commit: 200 }, []);
  await wal.saveSnapshot({ index: 150, term: 1 });
  await wal.close();
  const scan = scanLog(dir);
  assert.ok(scan.segments.length >= 4, 'the marker is in a later segment than the first');
  assert.deepEqual(validSnapshotMarkers(scan), [{ index: 0, term: 0 }, { index: 150, term: 1 }]);
  const fromScan = Wal.open(dir, { snapshot: { index: 150, term: 1 }, segmentBytes: SEGMENT });
  const replayed = fromScan.readAll(scan);
  await fromScan.close();
  const fromDisk = Wal.open(dir, { snapshot: { index: 150, term: 1 }, segmentBytes: SEGMENT });
  const reread = fromDisk.readAll();
  await fromDisk.close();
  assert.deepEqual(replayed.entries, entries(151, 200));
  assert.deepEqual(replayed, reread);
});
