// The value of each record in the `key` sub-database: mvccpb.KeyValue in protobuf encoding,
// fields written in field-number order and zero values left out, as etcd's gogo-protobuf code
// writes them, so a bbolt image can carry these bytes unchanged.
//   1 key bytes, 2 create_revision int64, 3 mod_revision int64, 4 version int64,
//   5 value bytes, 6 lease int64
// Encoding is hand-rolled (one exact-size allocation) because every write pays for it; decoding
// uses @bufbuild/protobuf's reader, except for the restore scan, which reads only what the index
// needs (decodeRecordMeta).

import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { KeyValue } from './kv';

const EMPTY = Buffer.alloc(0);

/** Bytes of a non-negative integer (< 2^53) as a varint. */
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** int64 varint of a bigint (two's complement for negatives, 10 bytes). */
function int64Bytes(v: bigint): Buffer {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

export function encodeKeyValue(kv: KeyValue): Buffer {
  const lease = kv.lease !== 0n ? int64Bytes(kv.lease) : EMPTY;
  let size = 0;
  if (kv.key.length > 0) size += 1 + varintSize(kv.key.length) + kv.key.length;
  if (kv.createRevision !== 0) size += 1 + varintSize(kv.createRevision);
  if (kv.modRevision !== 0) size += 1 + varintSize(kv.modRevision);
  if (kv.version !== 0) size += 1 + varintSize(kv.version);
  if (kv.value.length > 0) size += 1 + varintSize(kv.value.length) + kv.value.length;
  if (lease.length > 0) size += 1 + lease.length;
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  if (kv.key.length > 0) {
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, kv.key.length);
    pos += kv.key.copy(buf, pos);
  }
  if (kv.createRevision !== 0) {
    buf[pos++] = 0x10;
    pos = writeVarint(buf, pos, kv.createRevision);
  }
  if (kv.modRevision !== 0) {
    buf[pos++] = 0x18;
    pos = writeVarint(buf, pos, kv.modRevision);
  }
  if (kv.version !== 0) {
    buf[pos++] = 0x20;
    pos = writeVarint(buf, pos, kv.version);
  }
  if (kv.value.length > 0) {
    buf[pos++] = 0x2a;
    pos = writeVarint(buf, pos, kv.value.length);
    pos += kv.value.copy(buf, pos);
  }
  if (lease.length > 0) {
    buf[pos++] = 0x30;
    lease.copy(buf, pos);
  }
  return buf;
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

/** What the index needs from a record: the key (as a latin1 string), create revision, version, lease. */
export interface RecordMeta {
  key: string;
  createRevision: number;
  version: number;
  /** 0n when the record has no lease */
  lease: bigint;
}

/** Reads a record's fields in place from bytes[0, end). */
class FieldReader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly end: number,
  ) {}

  /**
   * A varint of at most 7 bytes (up to 2^49: any length, revision or version); -1 if longer or
   * cut short. The first four bytes use integer arithmetic so that values below 2^28 stay small
   * integers (stored inline by V8, where a double costs a heap number per field).
   */
  varint(): number {
    let n = 0;
    for (let shift = 0; this.pos < this.end; shift += 7) {
      const byte = this.bytes[this.pos++];
      n = shift < 28 ? n | ((byte & 0x7f) << shift) : n + (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return n;
      if (shift === 42) return -1;
    }
    return -1;
  }

  /** An int64 varint (up to 10 bytes, two's complement); undefined if cut short. */
  int64(): bigint | undefined {
    let n = 0n;
    for (let shift = 0n; shift < 70n && this.pos < this.end; shift += 7n) {
      const byte = this.bytes[this.pos++];
      n |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, n);
    }
    return undefined;
  }

  latin1(len: number): string {
    const b = this.bytes;
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    return buf.toString('latin1', this.pos, (this.pos += len));
  }
}

/**
 * Reads the fields the index needs from a record value in bytes[0, size), allocating nothing
 * but the key string (restore scans a million records from LMDB's shared buffer). Falls back
 * to decodeKeyValue for anything unexpected (unknown fields, huge varints).
 */
export function decodeRecordMeta(bytes: Uint8Array, size = bytes.length): RecordMeta {
  const meta: RecordMeta = { key: '', createRevision: 0, version: 0, lease: 0n };
  const r = new FieldReader(bytes, size);
  let known = true;
  while (known && r.pos < size) {
    const tag = bytes[r.pos++];
    if (tag === 0x0a || tag === 0x2a) {
      const len = r.varint();
      known = len >= 0 && r.pos + len <= size;
      if (!known) break;
      if (tag === 0x0a) meta.key = r.latin1(len);
      else r.pos += len;
    } else if (tag === 0x30) {
      const lease = r.int64();
      known = lease !== undefined;
      meta.lease = lease ?? 0n;
    } else if (tag === 0x10 || tag === 0x18 || tag === 0x20) {
      const n = r.varint();
      known = n >= 0;
      if (tag === 0x10) meta.createRevision = n;
      else if (tag === 0x20) meta.version = n;
    } else {
      known = false; // a field the index does not read
    }
  }
  if (!known || r.pos !== size) {
    const kv = decodeKeyValue(bytes.subarray(0, size));
    return { key: kv.key.toString('latin1'), createRevision: kv.createRevision, version: kv.version, lease: kv.lease };
  }
  return meta;
}
