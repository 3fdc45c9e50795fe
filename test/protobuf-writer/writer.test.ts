import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { encodeToBuffer, encodeWith } from '../../src/protobuf-writer';

const fresh = (write: (w: BinaryWriter) => unknown): Uint8Array => {
  const w = new BinaryWriter();
  write(w);
  return w.finish();
};

test('encodes give the bytes a new writer gives, large after small and small after large', () => {
  const small = (w: BinaryWriter) => w.tag(1, WireType.Varint).uint64(300n);
  const large = (w: BinaryWriter) => w.tag(2, WireType.LengthDelimited).fork().bytes(new Uint8Array(5000).fill(7)).join();
  for (const write of [small, large, small, large]) assert.deepEqual(encodeWith(write), fresh(write));
});

test('each result is a copy of its own, not a view of the shared buffer', () => {
  const first = encodeWith((w) => w.tag(1, WireType.Varint).uint32(1));
  encodeWith((w) => w.tag(1, WireType.Varint).uint32(2));
  assert.deepEqual(first, Uint8Array.of(8, 1));
});

test('a failed encode leaves nothing behind, open forks included', () => {
  assert.throws(() => encodeWith((w) => w.tag(3, WireType.LengthDelimited).fork().uint32(-1)));
  assert.deepEqual(encodeWith((w) => w.tag(1, WireType.Varint).uint32(5)), Uint8Array.of(8, 5));
});

test('an encode inside an encode is refused rather than sharing the buffer', () => {
  assert.throws(
    () => encodeWith(() => encodeWith((w) => w.uint32(1))),
    { message: 'protobuf-writer: an encode inside an encode would share the buffer' },
  );
  assert.deepEqual(encodeWith((w) => w.tag(1, WireType.Varint).uint32(6)), Uint8Array.of(8, 6));
});

test('encodeToBuffer gives the same bytes as a Buffer of their own', () => {
  const large = (w: BinaryWriter) => w.tag(2, WireType.LengthDelimited).fork().bytes(new Uint8Array(5000).fill(7)).join();
  const first = encodeToBuffer(large);
  const second = encodeToBuffer((w) => w.tag(1, WireType.Varint).uint32(9));
  assert.ok(Buffer.isBuffer(first));
  assert.deepEqual(new Uint8Array(first), fresh(large));
  assert.deepEqual(new Uint8Array(second), Uint8Array.of(8, 9));
});
