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

function readUint64BE(buf: Uint8Array, offset: number): number {
  const view = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return view.readUInt32BE(offset) * TWO_POW_32 + view.readUInt32BE(offset + 4);
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
  if (bytes.length < REV_BYTES_LEN || bytes[8] !== SEPARATOR) {
    throw new Error(`mvcc: malformed revision key of ${bytes.length} bytes`);
  }
  return { main: readUint64BE(bytes, 0), sub: readUint64BE(bytes, 9) };
}

/** The main revision of a record key, without allocating. */
export function bytesToMainRev(bytes: Uint8Array): number {
  return readUint64BE(bytes, 0);
}

export function isTombstone(bytes: Uint8Array): boolean {
  return bytes.length === MARKED_REV_BYTES_LEN && bytes[17] === TOMBSTONE_MARK;
}
