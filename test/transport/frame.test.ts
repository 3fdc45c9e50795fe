// The message stream's framing: batches, heartbeats, any split of the bytes, and malformed input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameDecoder, encodeFrame } from '../../src/transport/frame';
import { TransportError } from '../../src/transport';

const messages = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('third message')];

test('a frame holds a batch of messages; an empty frame is a heartbeat', () => {
  const frame = encodeFrame(messages);
  assert.equal(frame.length, 4 + 3 * 4 + 5 + 0 + 13);
  assert.equal(frame.readUInt32BE(0), frame.length - 4);
  assert.deepEqual(encodeFrame([]), Buffer.from([0, 0, 0, 0]));
  const decoder = new FrameDecoder(1024);
  assert.deepEqual(decoder.push(Buffer.concat([encodeFrame([]), frame, encodeFrame([])])).map((m) => Buffer.from(m)), messages);
});

test('frames split at every byte decode the same', () => {
  const stream = Buffer.concat([encodeFrame(messages), encodeFrame([Buffer.from('x')]), encodeFrame([])]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const decoder = new FrameDecoder(1024);
    const got = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.deepEqual(got.map((m) => Buffer.from(m).toString()), ['first', '', 'third message', 'x']);
  }
  // One byte at a time.
  const decoder = new FrameDecoder(1024);
  const got: Uint8Array[] = [];
  for (const byte of stream) got.push(...decoder.push(Buffer.from([byte])));
  assert.equal(got.length, 4);
});

test('an oversized or malformed frame is an error, not a crash', () => {
  assert.throws(() => new FrameDecoder(10).push(encodeFrame([Buffer.alloc(20)])), new TransportError('transport: frame of 24 bytes exceeds the limit of 10'));
  const bad = Buffer.from([0, 0, 0, 6, 0, 0, 0, 9, 1, 2]);
  assert.throws(() => new FrameDecoder(100).push(bad), /transport: malformed frame: record of 9 bytes runs past the frame/);
  assert.throws(() => new FrameDecoder(100).push(Buffer.from([0, 0, 0, 2, 0, 0])), /transport: malformed frame: truncated record length/);
});
