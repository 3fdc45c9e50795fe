// The meta page: the entry point of a bbolt file. bbolt keeps two (pages 0 and 1) and uses the
// valid one with the higher txid, so a torn meta write never loses the previous state.
import { SnapshotError } from './errors';
import {
  FORMAT_VERSION,
  MAGIC,
  META_CHECKSUMMED_SIZE,
  META_PAGE,
  NO_FREELIST,
  PAGE_HEADER_SIZE,
  writePageHeader,
} from './layout';

export interface Meta {
  pageSize: number;
  flags: number;
  rootPgid: number;
  rootSequence: bigint;
  /** Page id of the freelist, or null when the file has no persisted freelist. */
  freelistPgid: number | null;
  /** High water mark: the number of pages in use; every page id is below it. */
  highWater: number;
  txid: bigint;
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const U64 = 0xffffffffffffffffn;

export function fnv64a(bytes: Uint8Array): bigint {
  let h = FNV64_OFFSET;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & U64;
  }
  return h;
}

/** A whole meta page (header + meta) for page id `pgid` (0 or 1). */
export function encodeMetaPage(meta: Meta, pgid: number): Buffer {
  const page = Buffer.alloc(meta.pageSize);
  writePageHeader(page, { id: pgid, flags: META_PAGE, count: 0, overflow: 0 });
  const o = PAGE_HEADER_SIZE;
  page.writeUInt32LE(MAGIC, o);
  page.writeUInt32LE(FORMAT_VERSION, o + 4);
  page.writeUInt32LE(meta.pageSize, o + 8);
  page.writeUInt32LE(meta.flags, o + 12);
  page.writeBigUInt64LE(BigInt(meta.rootPgid), o + 16);
  page.writeBigUInt64LE(meta.rootSequence, o + 24);
  page.writeBigUInt64LE(meta.freelistPgid === null ? NO_FREELIST : BigInt(meta.freelistPgid), o + 32);
  page.writeBigUInt64LE(BigInt(meta.highWater), o + 40);
  page.writeBigUInt64LE(meta.txid, o + 48);
  page.writeBigUInt64LE(fnv64a(page.subarray(o, o + META_CHECKSUMMED_SIZE)), o + META_CHECKSUMMED_SIZE);
  return page;
}

/**
 * Reads and checks the meta in `page` (a buffer starting at the page header of meta page `which`).
 * Checks what bbolt checks (magic, version, checksum) and that the fields are usable.
 */
export function decodeMetaPage(page: Buffer, which: number): Meta {
  const o = PAGE_HEADER_SIZE;
  if (page.length < o + META_CHECKSUMMED_SIZE + 8) {
    throw new SnapshotError('truncated', `file truncated (meta page ${which} is incomplete)`);
  }
  const magic = page.readUInt32LE(o);
  if (magic !== MAGIC) {
    throw new SnapshotError('bad-magic', `bad magic in meta page ${which} (not a bbolt file: 0x${magic.toString(16).padStart(8, '0')})`);
  }
  const version = page.readUInt32LE(o + 4);
  if (version !== FORMAT_VERSION) {
    throw new SnapshotError('bad-version', `unsupported bbolt version ${version} in meta page ${which} (want ${FORMAT_VERSION})`);
  }
  const stored = page.readBigUInt64LE(o + META_CHECKSUMMED_SIZE);
  const computed = fnv64a(page.subarray(o, o + META_CHECKSUMMED_SIZE));
  if (stored !== computed) {
    throw new SnapshotError('meta-checksum', `meta checksum mismatch in meta page ${which}`);
  }
  const pageSize = page.readUInt32LE(o + 8);
  if (!isValidPageSize(pageSize)) {
    throw new SnapshotError('bad-meta', `meta page ${which}: invalid page size ${pageSize}`);
  }
  const freelist = page.readBigUInt64LE(o + 32);
  const meta: Meta = {
    pageSize,
    flags: page.readUInt32LE(o + 12),
    rootPgid: Number(page.readBigUInt64LE(o + 16)),
    rootSequence: page.readBigUInt64LE(o + 24),
    freelistPgid: freelist === NO_FREELIST ? null : Number(freelist),
    highWater: Number(page.readBigUInt64LE(o + 40)),
    txid: page.readBigUInt64LE(o + 48),
  };
  if (meta.highWater < 3) {
    throw new SnapshotError('bad-meta', `meta page ${which}: high water mark ${meta.highWater} leaves no room for data`);
  }
  if (meta.rootPgid < 2 || meta.rootPgid >= meta.highWater) {
    throw new SnapshotError('out-of-bounds', `root bucket page ${meta.rootPgid} out of bounds (high water mark ${meta.highWater})`);
  }
  if (meta.freelistPgid !== null && (meta.freelistPgid < 2 || meta.freelistPgid >= meta.highWater)) {
    throw new SnapshotError('out-of-bounds', `freelist page ${meta.freelistPgid} out of bounds (high water mark ${meta.highWater})`);
  }
  return meta;
}

/** The page size field as written at a fixed offset, read without trusting the rest of the meta. */
export function peekPageSize(page: Buffer): number {
  return page.length >= PAGE_HEADER_SIZE + 12 ? page.readUInt32LE(PAGE_HEADER_SIZE + 8) : 0;
}

export function isValidPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}
