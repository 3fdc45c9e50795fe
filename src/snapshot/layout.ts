// The bbolt file format (version 2) as byte offsets. All integers are little-endian.
//
//   page header (16 bytes)          id u64 | flags u16 | count u16 | overflow u32
//   leaf element (16 bytes)         flags u32 | pos u32 | ksize u32 | vsize u32
//   branch element (16 bytes)       pos u32 | ksize u32 | pgid u64
//   bucket value header (16 bytes)  root pgid u64 | sequence u64, then an inline page when root = 0
//   meta (64 bytes, after a header) magic u32 | version u32 | pageSize u32 | flags u32 |
//                                   root bucket (16) | freelist u64 | pgid (high water mark) u64 |
//                                   txid u64 | checksum u64 (FNV-64a of the 56 bytes before it)
//
// An element's pos counts from the start of that element to its key; the value follows the key.
// A node larger than one page spans `overflow` more pages; only its first page has a header.

export const MAGIC = 0xed0cdaed;
export const FORMAT_VERSION = 2;
export const DEFAULT_PAGE_SIZE = 4096;

export const PAGE_HEADER_SIZE = 16;
export const LEAF_ELEMENT_SIZE = 16;
export const BRANCH_ELEMENT_SIZE = 16;
export const BUCKET_HEADER_SIZE = 16;
export const META_SIZE = 64;
export const META_CHECKSUMMED_SIZE = 56;

export const BRANCH_PAGE = 0x01;
export const LEAF_PAGE = 0x02;
export const META_PAGE = 0x04;
export const FREELIST_PAGE = 0x10;

/** Leaf element flag: the value is a nested bucket (header, maybe an inline page). */
export const BUCKET_LEAF_FLAG = 0x01;

/** Meta freelist value when the freelist is not persisted (bbolt's NoFreelistSync). */
export const NO_FREELIST = 0xffffffffffffffffn;

/** A freelist page whose count is 0xFFFF keeps the real count in its first u64 slot. */
export const FREELIST_COUNT_OVERFLOW = 0xffff;

export const MAX_KEY_SIZE = 32768;
export const MAX_VALUE_SIZE = 0x7fffffff - 1;

/** bbolt keeps a bucket inline (inside its parent's leaf) while its page would fit in this share. */
export const inlineLimit = (pageSize: number): number => pageSize / 4;

export interface PageHeader {
  id: number;
  flags: number;
  count: number;
  overflow: number;
}

export function readPageHeader(buf: Buffer, offset: number): PageHeader {
  return {
    id: readPgid(buf, offset),
    flags: buf.readUInt16LE(offset + 8),
    count: buf.readUInt16LE(offset + 10),
    overflow: buf.readUInt32LE(offset + 12),
  };
}

/** Writes `h` at the start of `page`. */
export function writePageHeader(page: Buffer, h: PageHeader): void {
  page.writeBigUInt64LE(BigInt(h.id), 0);
  page.writeUInt16LE(h.flags, 8);
  page.writeUInt16LE(h.count, 10);
  page.writeUInt32LE(h.overflow, 12);
}

/** Page ids are u64 on disk; ids past 2^53 lose precision, but they fail the bounds check anyway. */
export function readPgid(buf: Buffer, offset: number): number {
  return Number(buf.readBigUInt64LE(offset));
}

export function pageTypeName(flags: number): string {
  switch (flags) {
    case BRANCH_PAGE:
      return 'branch';
    case LEAF_PAGE:
      return 'leaf';
    case META_PAGE:
      return 'meta';
    case FREELIST_PAGE:
      return 'freelist';
    default:
      return `unknown<${flags.toString(16).padStart(2, '0')}>`;
  }
}
