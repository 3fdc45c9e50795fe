import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemberStorage, Snapshotter } from '../../src/wal';
import { META, entries, recordingLogger, tempWalDir } from './helpers';

function memberDir(t: { after(fn: () => void): void }): string {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  return path.dirname(dir);
}

const snapFile = (index: number, term: number) => ({ index, term, data: new Uint8Array(Buffer.from(`state at ${index}`)) });

test('a new member gets a new log; a restart finds the newest snapshot and the entries after it', async (t) => {
  const dir = memberDir(t);
  const first = MemberStorage.open(dir, META, { segmentBytes: 4096, maxSnapshots: 2, logger: recordingLogger() });
  assert.equal(first.restored.created, true);
  assert.deepEqual(first.restored.entries, []);
  const { storage } = first;
  for (let i = 1; i <= 300; i += 10) await storage.save({ term: 2, vote: 1n, commit: i + 9 }, entries(i, i + 9, 2));
  for (const index of [100, 200, 250]) await storage.saveSnapshot(snapFile(index, 2), new Uint8Array([1, 2]));
  await storage.release(250);
  await storage.close();
  assert.deepEqual(fs.readdirSync(path.join(dir, 'snap')).sort(), ['0000000000000002-00000000000000c8.snap', '0000000000000002-00000000000000fa.snap']);

  const again = MemberStorage.open(dir, { nodeId: 99n, clusterId: 99n }, { segmentBytes: 4096 });
  assert.equal(again.restored.created, false);
  assert.deepEqual(again.restored.metadata, META, 'the metadata given at creation wins');
  assert.deepEqual(again.restored.snapshot, snapFile(250, 2));
  assert.deepEqual(again.restored.entries, entries(251, 300, 2));
  assert.deepEqual(again.restored.hardState, { term: 2, vote: 1n, commit: 300 });
  await again.storage.close();
});

test('maxSnapshots 0 keeps every snapshot file; a negative one is refused', async (t) => {
  const dir = memberDir(t);
  const { storage } = MemberStorage.open(dir, META, { segmentBytes: 4096, maxSnapshots: 0, logger: recordingLogger() });
  for (let i = 1; i <= 300; i += 10) await storage.save({ term: 2, vote: 1n, commit: i + 9 }, entries(i, i + 9, 2));
  for (const index of [100, 200, 250]) await storage.saveSnapshot(snapFile(index, 2), new Uint8Array([1, 2]));
  await storage.release(250);
  await storage.close();
  assert.equal(fs.readdirSync(path.join(dir, 'snap')).length, 3);
  assert.throws(() => MemberStorage.open(dir, META, { maxSnapshots: -1 }), { message: 'wal: max snapshots must be a whole number, 0 or more, got -1' });
});

test('a snapshot file without its WAL marker is not used', async (t) => {
  const dir = memberDir(t);
  const { storage } = MemberStorage.open(dir, META);
  await storage.save({ term: 1, vote: 1n, commit: 20 }, entries(1, 20));
  await storage.saveSnapshot(snapFile(10, 1));
  await storage.close();
  // A crash between writing a snapshot file and its marker leaves a file the WAL does not know.
  await new Snapshotter(path.join(dir, 'snap')).save(snapFile(20, 1));
  const again = MemberStorage.open(dir, META);
  assert.deepEqual(again.restored.snapshot, snapFile(10, 1));
  assert.deepEqual(again.restored.entries, entries(11, 20));
  await again.storage.close();
});
