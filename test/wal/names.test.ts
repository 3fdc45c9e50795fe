import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listSegments, parseWalName, segmentsFrom, walName } from '../../src/wal/names';
import { tempWalDir } from './helpers';

test('segment names are $seq-$index in 16 hex digits', () => {
  assert.equal(walName(0, 0), '0000000000000000-0000000000000000.wal');
  assert.equal(walName(1, 0x21), '0000000000000001-0000000000000021.wal');
  assert.deepEqual(parseWalName('0000000000000002-0000000000000031.wal'), { name: '0000000000000002-0000000000000031.wal', seq: 2, index: 0x31 });
  for (const bad of ['0.tmp', '0000000000000000-0000000000000000.wal.broken', '000000000000000-0000000000000000.wal', '0000000000000000-000000000000000G.wal', 'ffffffffffffffff-0000000000000000.wal']) {
    assert.equal(parseWalName(bad), undefined, bad);
  }
});

test('segmentsFrom picks the last segment starting at or before the index, and the rest', (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  fs.mkdirSync(dir, { recursive: true });
  for (const [seq, index] of [[3, 40], [4, 60], [5, 61], [6, 90]]) fs.writeFileSync(path.join(dir, walName(seq, index)), '');
  fs.writeFileSync(path.join(dir, '0.tmp'), '');
  assert.deepEqual(listSegments(dir).map((s) => s.seq), [3, 4, 5, 6]);
  assert.deepEqual(segmentsFrom(dir, 40).map((s) => s.seq), [3, 4, 5, 6]);
  assert.deepEqual(segmentsFrom(dir, 60).map((s) => s.seq), [4, 5, 6]);
  assert.deepEqual(segmentsFrom(dir, 89).map((s) => s.seq), [5, 6]);
  assert.deepEqual(segmentsFrom(dir, 1000).map((s) => s.seq), [6]);
  assert.throws(() => segmentsFrom(dir, 39), { message: 'wal: file not found which matches the snapshot index 39' });
});
