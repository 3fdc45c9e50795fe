// A revision names one change of the store: `main` is the store revision of the write request
// (a txn is one request), `sub` the position of the change inside that request.
//
// On disk (the `key` sub-database) a revision is the record key, laid out as etcd lays it out
// so that byte order equals revision order and range scans need no decoding:
//
//   bytes 0..7   main, unsigned 64-bit big-endian
//   byte  8      '_'
//   bytes 9..16  sub, unsigned 64-bit big-endian
//   byte  17     't' (optional): the record is a tombstone (the key was deleted)

export interface Revision {
  main: number;
  sub: number;
}

export const REV_BYTES_LEN = 17;
export const MARKED_REV_BYTES_LEN = 18;
const SEPARATOR = 0x5f; // '_'
const TOMBSTONE_MARK = 0x74; // 't'
const TWO_POW_32 = 0x1_0000_0000;

function writeUint64BE(buf: Buffer, n: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(n / TWO_POW_32), offset);
  buf.writeUInt32BE(n % TWO_POW_32, offset + 4);
}

/**
 * Unsigned 64-bit big-endian at offset, from any byte array (exact below 2^53). Values below
 * 2^31 come out as small integers, which V8 stores inline in an object (a double would be a
 * separate heap number per field, and a million index entries hold several each).
 */
function readUint64BE(bytes: Uint8Array, offset: number): number {
  const hi = ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
  const lo = ((bytes[offset + 4] << 24) | (bytes[offset + 5] << 16) | (bytes[offset + 6] << 8) | bytes[offset + 7]) >>> 0;
  return hi === 0 ? lo : hi * TWO_POW_32 + lo;
}

function checkRecordKey(bytes: Uint8Array, start: number, end: number): void {
  if (end - start < REV_BYTES_LEN || bytes[start + 8] !== SEPARATOR) {
    throw new Error(`mvcc: malformed revision key of ${end - start} bytes`);
  }
}

/** The record key of a revision; `tombstone` appends the 't' mark. */
export function revToBytes(rev: Revision, tombstone = false): Buffer {
  const buf = Buffer.allocUnsafe(tombstone ? MARKED_REV_BYTES_LEN : REV_BYTES_LEN);
  writeUint64BE(buf, rev.main, 0);
  buf[8] = SEPARATOR;
  writeUint64BE(buf, rev.sub, 9);
  if (tombstone) buf[17] = TOMBSTONE_MARK;
  return buf;
}

/** The revision of a record key (the tombstone mark, if any, is ignored). */
export function bytesToRev(bytes: Uint8Array): Revision {
  checkRecordKey(bytes, 0, bytes.length);
  return { main: readUint64BE(bytes, 0), sub: readUint64BE(bytes, 9) };
}

/** The main revision of a record key, without allocating. */
export function bytesToMainRev(bytes: Uint8Array): number {
  return readUint64BE(bytes, 0);
}

export function isTombstone(bytes: Uint8Array): boolean {
  return bytes.length === MARKED_REV_BYTES_LEN && bytes[17] === TOMBSTONE_MARK;
}

/** A record key: its revision and whether the record is a tombstone. */
export interface RecordKey extends Revision {
  tombstone: boolean;
}

/** The record key held in bytes[start, end) (a scan's shared buffer). */
export function readRecordKey(bytes: Uint8Array, start: number, end: number): RecordKey {
  const len = end - start;
  checkRecordKey(bytes, start, end);
  return {
    main: readUint64BE(bytes, start),
    sub: readUint64BE(bytes, start + 9),
    tombstone: len === MARKED_REV_BYTES_LEN && bytes[start + 17] === TOMBSTONE_MARK,
  };
}
