// The value of each record in the `key` sub-database: mvccpb.KeyValue in protobuf encoding,
// fields written in field-number order and zero values left out, as etcd's gogo-protobuf code
// writes them, so a bbolt image can carry these bytes unchanged.
//   1 key bytes, 2 create_revision int64, 3 mod_revision int64, 4 version int64,
//   5 value bytes, 6 lease int64

import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { KeyValue } from './kv';

const EMPTY = Buffer.alloc(0);

export function encodeKeyValue(kv: KeyValue): Buffer {
  const w = new BinaryWriter();
  if (kv.key.length > 0) w.tag(1, WireType.LengthDelimited).bytes(kv.key);
  if (kv.createRevision !== 0) w.tag(2, WireType.Varint).int64(kv.createRevision);
  if (kv.modRevision !== 0) w.tag(3, WireType.Varint).int64(kv.modRevision);
  if (kv.version !== 0) w.tag(4, WireType.Varint).int64(kv.version);
  if (kv.value.length > 0) w.tag(5, WireType.LengthDelimited).bytes(kv.value);
  if (kv.lease !== 0n) w.tag(6, WireType.Varint).int64(kv.lease);
  const out = w.finish();
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function asBuffer(u8: Uint8Array): Buffer {
  return u8.length === 0 ? EMPTY : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Decodes a record value. The returned key/value share memory with `bytes`. */
export function decodeKeyValue(bytes: Uint8Array): KeyValue {
  const r = new BinaryReader(bytes);
  const kv: KeyValue = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0n };
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    switch (field) {
      case 1:
        kv.key = asBuffer(r.bytes());
        break;
      case 2:
        kv.createRevision = Number(r.int64());
        break;
      case 3:
        kv.modRevision = Number(r.int64());
        break;
      case 4:
        kv.version = Number(r.int64());
        break;
      case 5:
        kv.value = asBuffer(r.bytes());
        break;
      case 6:
        kv.lease = BigInt(r.int64());
        break;
      default:
        r.skip(wireType, field);
    }
  }
  return kv;
}
