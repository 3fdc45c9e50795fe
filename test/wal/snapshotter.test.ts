import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Snapshotter, WalError } from '../../src/wal';
import { recordingLogger, tempWalDir } from './helpers';

function snapDir(t: { after(fn: () => void): void }): string {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  return path.join(dir, '..', 'snap');
}

const snap = (index: number, term: number) => ({ index, term, data: new Uint8Array(Buffer.from(`raft snapshot ${term}/${index}`)) });

test('saved snapshots load back, newest first, under etcd-style names', async (t) => {
  const dir = snapDir(t);
  const s = new Snapshotter(dir);
  assert.equal(s.loadNewest(), undefined, 'no directory yet: no snapshot');
  await s.save(snap(10, 1));
  await s.save(snap(20, 2));
  await s.save(snap(15, 1));
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    '0000000000000001-000000000000000a.snap',
    '0000000000000001-000000000000000f.snap',
    '0000000000000002-0000000000000014.snap',
  ]);
  assert.equal(fs.statSync(path.join(dir, '0000000000000002-0000000000000014.snap')).mode & 0o777, 0o600);
  assert.deepEqual(s.loadNewest(), snap(20, 2));
  assert.deepEqual(s.loadNewestAvailable([{ index: 0, term: 0 }, { index: 10, term: 1 }, { index: 15, term: 1 }]), snap(15, 1));
  assert.equal(s.loadNewestAvailable([{ index: 0, term: 0 }]), undefined);
});

test('a damaged snapshot is set aside as .broken and an older one is used', async (t) => {
  const dir = snapDir(t);
  const logger = recordingLogger();
  const s = new Snapshotter(dir, { logger });
  await s.save(snap(10, 1));
  await s.save(snap(20, 1));
  const newest = path.join(dir, '0000000000000001-0000000000000014.snap');
  const bytes = fs.readFileSync(newest);
  bytes[bytes.length - 1] ^= 0xff;
  fs.writeFileSync(newest, bytes);
  fs.writeFileSync(path.join(dir, '0000000000000009-0000000000000009.snap'), '');
  assert.deepEqual(s.loadNewest(), snap(10, 1));
  assert.deepEqual(logger.lines, [
    'warn snap: empty snapshot in 0000000000000009-0000000000000009.snap; renamed to 0000000000000009-0000000000000009.snap.broken',
    'warn snap: crc mismatch in 0000000000000001-0000000000000014.snap; renamed to 0000000000000001-0000000000000014.snap.broken',
  ]);
  assert.ok(fs.existsSync(`${newest}.broken`));
});

test('a snapshot whose name does not match its contents is not used', async (t) => {
  const dir = snapDir(t);
  const s = new Snapshotter(dir, { logger: recordingLogger() });
  await s.save(snap(10, 1));
  fs.renameSync(path.join(dir, '0000000000000001-000000000000000a.snap'), path.join(dir, '0000000000000001-000000000000000b.snap'));
  assert.equal(s.loadNewest(), undefined);
});

test('purge keeps the newest snapshots', async (t) => {
  const dir = snapDir(t);
  const s = new Snapshotter(dir);
  for (let i = 1; i <= 5; i++) await s.save(snap(i * 10, 1));
  fs.writeFileSync(path.join(dir, 'db'), 'not a snapshot');
  assert.deepEqual(await s.purge(2), [
    '0000000000000001-000000000000001e.snap',
    '0000000000000001-0000000000000014.snap',
    '0000000000000001-000000000000000a.snap',
  ]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['0000000000000001-0000000000000028.snap', '0000000000000001-0000000000000032.snap', 'db']);
  await assert.rejects(s.purge(0), (err: unknown) => err instanceof WalError && err.message === 'snap: must keep at least one snapshot, got 0');
  await assert.rejects(s.save({ index: -1, term: 1, data: new Uint8Array() }), { message: 'snap: index must be a non-negative safe integer, got -1' });
});
