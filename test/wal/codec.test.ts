import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSegment } from '../../src/wal/decoder';
import { encodeFrames } from '../../src/wal/encoder';
import { RecordType, decodeEntry, decodeHardState, decodeMetadata, decodeSnapshotMarker, encodeEntry, encodeHardState, encodeMetadata, encodeSnapshotMarker } from '../../src/wal/record';

test('frames are 8-byte aligned with the documented header', () => {
  for (let size = 0; size < 20; size++) {
    const frames = encodeFrames([{ type: RecordType.Entry, payload: new Uint8Array(size).fill(0xab) }]);
    assert.equal(frames.length % 8, 0);
    assert.equal(frames.length, 8 + Math.ceil((size + 1) / 8) * 8);
    assert.equal(frames.readUInt32LE(0), size + 1);
    assert.equal(frames[8], RecordType.Entry);
    assert.ok(frames.subarray(9 + size).every((b) => b === 0), 'padding is zeros');
  }
});

test('a batch decodes back to its records, then stops cleanly at zeros', () => {
  const records = [
    { type: RecordType.Metadata, payload: encodeMetadata({ nodeId: 1n, clusterId: 2n }) },
    { type: RecordType.Entry, payload: encodeEntry({ term: 1, index: 1, type: 0, data: Buffer.from('hello') }) },
    { type: RecordType.State, payload: encodeHardState({ term: 1, vote: 3n, commit: 1 }) },
    { type: RecordType.Snapshot, payload: encodeSnapshotMarker({ index: 1, term: 1 }) },
  ];
  const frames = encodeFrames(records);
  const file = Buffer.concat([frames, Buffer.alloc(64)]);
  const scan = decodeSegment(file);
  assert.deepEqual(scan.stop, { kind: 'clean' });
  assert.equal(scan.end, frames.length);
  assert.deepEqual(
    scan.records.map((r) => [r.type, Buffer.from(r.payload)]),
    records.map((r) => [r.type, Buffer.from(r.payload)]),
  );
  assert.deepEqual(decodeMetadata(scan.records[0].payload), { nodeId: 1n, clusterId: 2n });
  assert.deepEqual(decodeEntry(scan.records[1].payload), { term: 1, index: 1, type: 0, data: new Uint8Array(Buffer.from('hello')) });
  assert.deepEqual(decodeHardState(scan.records[2].payload), { term: 1, vote: 3n, commit: 1 });
  assert.deepEqual(decodeSnapshotMarker(scan.records[3].payload), { index: 1, term: 1 });
});

test('payloads of the wrong shape are refused', () => {
  assert.equal(decodeMetadata(new Uint8Array(15)), undefined);
  assert.equal(decodeEntry(new Uint8Array(19)), undefined);
  assert.equal(decodeHardState(new Uint8Array(25)), undefined);
  assert.equal(decodeSnapshotMarker(new Uint8Array(8)), undefined);
  const huge = new Uint8Array(24).fill(0xff); // index beyond Number.MAX_SAFE_INTEGER
  assert.equal(decodeEntry(huge), undefined);
});

test('the decoder tells a torn frame from a damaged one', () => {
  const frames = encodeFrames([
    { type: RecordType.Entry, payload: new Uint8Array(40).fill(1) },
    { type: RecordType.Entry, payload: new Uint8Array(40).fill(2) },
  ]);
  const second = frames.length / 2;
  assert.deepEqual(decodeSegment(frames.subarray(0, frames.length - 3)).stop, { kind: 'torn', detail: 'frame runs past the end of the file' });
  assert.deepEqual(decodeSegment(frames.subarray(0, second + 5)).stop, { kind: 'torn', detail: 'partial frame header' });
  assert.deepEqual(decodeSegment(Buffer.concat([frames.subarray(0, second), Buffer.alloc(5)])).stop, { kind: 'clean' });

  const flipped = Buffer.from(frames);
  flipped[second + 20] ^= 0x10;
  const scan = decodeSegment(flipped);
  assert.deepEqual(scan.stop, { kind: 'crc-mismatch' });
  assert.equal(scan.end, second);
  assert.equal(scan.records.length, 1);

  const badLength = Buffer.from(frames);
  badLength.writeUInt32LE(0, second);
  assert.deepEqual(decodeSegment(badLength).stop, { kind: 'corrupt', detail: 'zero record length' });
});

test('a frame with an all-zero sector is torn', () => {
  // 1,200 bytes of body span three sectors; zero the middle one.
  const frames = encodeFrames([{ type: RecordType.Entry, payload: new Uint8Array(1200).fill(7) }]);
  frames.fill(0, 512, 1024);
  assert.deepEqual(decodeSegment(frames).stop, { kind: 'torn', detail: 'zeroed sector' });
});
