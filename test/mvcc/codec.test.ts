import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { bytesToRev, decodeKeyValue, encodeKeyValue, isTombstone, revToBytes } from '../../src/mvcc';
import type { KeyValue } from '../../src/mvcc';
import { decodeRecordMeta } from '../../src/mvcc/kv-codec';

/** The reference encoding: protobuf's own writer, zero fields left out, field order. */
function reference(kv: KeyValue): Buffer {
  const w = new BinaryWriter();
  if (kv.key.length) w.tag(1, WireType.LengthDelimited).bytes(kv.key);
  if (kv.createRevision) w.tag(2, WireType.Varint).int64(kv.createRevision);
  if (kv.modRevision) w.tag(3, WireType.Varint).int64(kv.modRevision);
  if (kv.version) w.tag(4, WireType.Varint).int64(kv.version);
  if (kv.value.length) w.tag(5, WireType.LengthDelimited).bytes(kv.value);
  if (kv.lease) w.tag(6, WireType.Varint).int64(kv.lease);
  return Buffer.from(w.finish());
}

test('KeyValue encoding equals protobuf encoding and round-trips', () => {
  const samples: KeyValue[] = [
    { key: Buffer.from('foo'), value: Buffer.from('bar'), createRevision: 2, modRevision: 3, version: 2, lease: 0n },
    { key: Buffer.from('k'), value: Buffer.alloc(0), createRevision: 0, modRevision: 0, version: 0, lease: 0n },
    { key: Buffer.alloc(300, 1), value: Buffer.alloc(70000, 2), createRevision: 2 ** 40, modRevision: 2 ** 52, version: 128, lease: 0x694d7a8b2c3e4f10n },
    { key: Buffer.from('neg'), value: Buffer.from('x'), createRevision: 1, modRevision: 1, version: 1, lease: -5n },
  ];
  for (const kv of samples) {
    const bytes = encodeKeyValue(kv);
    assert.deepEqual(bytes, reference(kv));
    assert.deepEqual(decodeKeyValue(bytes), kv);
    const meta = decodeRecordMeta(bytes);
    assert.deepEqual(meta, { key: kv.key.toString('latin1'), createRevision: kv.createRevision, version: kv.version, lease: kv.lease });
    // as a scan hands it over: a plain Uint8Array holding the record and then stale bytes
    const shared = new Uint8Array(bytes.length + 9).fill(0x0a);
    shared.set(bytes);
    assert.deepEqual(decodeRecordMeta(shared, bytes.length), meta);
  }
});

test('record meta: a field the index does not know or a cut-short record falls back to the full decoder', () => {
  const kv: KeyValue = { key: Buffer.from([0x00, 0xff, 0x80]), value: Buffer.from('v'), createRevision: 300, modRevision: 301, version: 2, lease: -1n };
  const bytes = encodeKeyValue(kv);
  const withUnknown = Buffer.concat([bytes, Buffer.from([0x38, 0x01])]); // field 7, varint 1
  assert.deepEqual(decodeRecordMeta(withUnknown), { key: '\x00\xff\x80', createRevision: 300, version: 2, lease: -1n });
  assert.throws(() => decodeRecordMeta(bytes.subarray(0, bytes.length - 3)));
});

test('revision keys: 8-byte big-endian main, _, 8-byte sub, t for tombstones; byte order is revision order', () => {
  const k = revToBytes({ main: 0x0102030405, sub: 7 });
  assert.equal(k.toString('hex'), '0000000102030405' + '5f' + '0000000000000007');
  const t = revToBytes({ main: 5, sub: 0 }, true);
  assert.equal(t.length, 18);
  assert.equal(t[17], 0x74);
  assert.equal(isTombstone(t), true);
  assert.equal(isTombstone(k), false);
  assert.deepEqual(bytesToRev(t), { main: 5, sub: 0 });
  const revs = [
    { main: 1, sub: 0 },
    { main: 1, sub: 1 },
    { main: 255, sub: 0 },
    { main: 256, sub: 0 },
    { main: 2 ** 40, sub: 3 },
  ];
  for (let i = 1; i < revs.length; i++) assert.equal(Buffer.compare(revToBytes(revs[i - 1]), revToBytes(revs[i])), -1);
  assert.throws(() => bytesToRev(Buffer.from('short')), /malformed revision key/);
});
