import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSegment } from '../../src/wal/decoder';
import { encodeFrames } from '../../src/wal/encoder';
import { RecordType } from '../../src/wal/record';
import { scanSegmentFile } from '../../src/wal/segment_file';
import { tempWalDir } from './helpers';

function writeSegment(t: { after(fn: () => void): void }, bytes: Buffer, size: number): string {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'segment.wal');
  fs.writeFileSync(file, bytes);
  fs.truncateSync(file, size);
  return file;
}

test('a segment read in pieces gives the same frames as one read whole, across piece boundaries', (t) => {
  // Records of 300 KiB: frames straddle the 1 MiB first piece and every later one; some are all zeros.
  const records = Array.from({ length: 12 }, (_, i) => ({ type: RecordType.Entry, payload: new Uint8Array(300 * 1024 + i).fill(i % 3 === 0 ? 0 : i) }));
  const frames = encodeFrames(records);
  const file = writeSegment(t, frames, frames.length + 3 * 1024 * 1024);
  const scan = scanSegmentFile(file);
  const whole = decodeSegment(fs.readFileSync(file));
  assert.deepEqual(scan.stop, { kind: 'clean' });
  assert.equal(scan.end, frames.length);
  assert.equal(scan.dataAfterEnd, false);
  assert.equal(scan.size, frames.length + 3 * 1024 * 1024);
  assert.deepEqual(
    scan.records.map((r) => [r.offset, r.type, r.payload.length]),
    whole.records.map((r) => [r.offset, r.type, r.payload.length]),
  );
  assert.ok(scan.records.every((r, i) => Buffer.compare(r.payload, records[i].payload) === 0));
});

test('stray bytes far after the end are found; a frame cut by the end of the file is torn', (t) => {
  const frames = encodeFrames([{ type: RecordType.Entry, payload: new Uint8Array(100).fill(1) }]);
  const stray = Buffer.alloc(3 * 1024 * 1024);
  stray.set(frames);
  stray[stray.length - 10] = 1;
  assert.equal(scanSegmentFile(writeSegment(t, stray, stray.length)).dataAfterEnd, true);

  const cut = scanSegmentFile(writeSegment(t, frames.subarray(0, frames.length - 8), frames.length - 8));
  assert.deepEqual(cut.stop, { kind: 'torn', detail: 'frame runs past the end of the file' });
  assert.equal(cut.end, 0);

  const empty = scanSegmentFile(writeSegment(t, Buffer.alloc(0), 0));
  assert.deepEqual([empty.stop, empty.end, empty.dataAfterEnd], [{ kind: 'clean' }, 0, false]);
});
