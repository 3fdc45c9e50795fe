// Keys of etcd's `key` bucket: a revision as 8-byte big-endian main, '_', 8-byte big-endian sub,
// and an 18th byte 't' when the entry is a tombstone (a delete). Byte order is revision order.
import { SnapshotError } from './errors';

export interface Revision {
  main: number;
  sub: number;
}

export interface RevisionKey extends Revision {
  tombstone: boolean;
}

export const REVISION_KEY_SIZE = 17;
export const TOMBSTONE_KEY_SIZE = 18;
const SEPARATOR = 0x5f; // '_'
const TOMBSTONE_MARK = 0x74; // 't'

export function encodeRevisionKey(rev: Revision, opts: { tombstone?: boolean } = {}): Buffer {
  const out = Buffer.alloc(opts.tombstone ? TOMBSTONE_KEY_SIZE : REVISION_KEY_SIZE);
  out.writeBigUInt64BE(toU64(rev.main, 'main'), 0);
  out[8] = SEPARATOR;
  out.writeBigUInt64BE(toU64(rev.sub, 'sub'), 9);
  if (opts.tombstone) out[17] = TOMBSTONE_MARK;
  return out;
}

export function decodeRevisionKey(key: Uint8Array): RevisionKey {
  const b = Buffer.from(key.buffer, key.byteOffset, key.length);
  const marked = b.length === TOMBSTONE_KEY_SIZE && b[17] === TOMBSTONE_MARK;
  if ((b.length !== REVISION_KEY_SIZE && !marked) || b[8] !== SEPARATOR) {
    throw new SnapshotError('bad-value', `malformed revision key ${b.toString('hex')}`);
  }
  return { main: fromU64(b.readBigUInt64BE(0), b), sub: fromU64(b.readBigUInt64BE(9), b), tombstone: marked };
}

/** The main revision of a key bucket key, as etcdctl's status reads it (first 8 bytes). */
export function mainRevisionOf(key: Uint8Array): number {
  if (key.length < REVISION_KEY_SIZE) throw new SnapshotError('bad-value', `malformed revision key ${Buffer.from(key).toString('hex')}`);
  const b = Buffer.from(key.buffer, key.byteOffset, key.length);
  return fromU64(b.readBigUInt64BE(0), b);
}

function toU64(n: number, what: string): bigint {
  if (!Number.isSafeInteger(n) || n < 0) throw new SnapshotError('bad-input', `revision ${what} ${n} is not a non-negative safe integer`);
  return BigInt(n);
}

function fromU64(v: bigint, key: Buffer): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SnapshotError('bad-value', `revision in key ${key.toString('hex')} is beyond 2^53`);
  }
  return Number(v);
}
