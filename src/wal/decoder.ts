// Reads the frames of one segment and says exactly where and why reading stopped. Whether a stop
// is acceptable (a torn tail of the last segment) or fatal is decided by the caller.

import { crc32c } from '../checksum';
import { FRAME_HEADER_BYTES, SECTOR_BYTES, paddingFor } from './frame';
import { RawRecord } from './encoder';

export interface DecodedRecord extends RawRecord {
  /** Offset of the frame in the segment. */
  offset: number;
}

/**
 * Why decoding stopped at `end`:
 * - `clean`: end of file, or an all-zero header (preallocated space that was never written);
 * - `torn`: a frame cut short by the end of the file or with an all-zero sector in its body,
 *   which is what a crash in the middle of a write leaves behind;
 * - `crc-mismatch` / `corrupt`: damaged data that no crash of ours can produce;
 * - `more`: only when decoding a prefix of the file: the next frame goes past the prefix.
 */
export type StopReason =
  | { kind: 'clean' }
  | { kind: 'torn'; detail: string }
  | { kind: 'crc-mismatch' }
  | { kind: 'corrupt'; detail: string }
  | { kind: 'more' };

export interface DecodeOptions {
  /** Where to start: 0, or the `end` of an earlier scan of the same file that stopped for `more`. */
  from?: number;
  /** True when `buf` is only the beginning of the file. */
  prefix?: boolean;
}

export interface SegmentScan {
  records: DecodedRecord[];
  /** Offset just after the last valid frame: where appending resumes. */
  end: number;
  stop: StopReason;
}

const ZEROS = new Uint8Array(64 * 1024);

/** Compares against a block of zeros (a native memcmp): a segment's tail can be megabytes of them. */
function allZero(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i += ZEROS.length) {
    const n = Math.min(ZEROS.length, to - i);
    if (Buffer.compare(buf.subarray(i, i + n), ZEROS.subarray(0, n)) !== 0) return false;
  }
  return true;
}

/** True when any sector-aligned piece of [from, to) is all zeros: a sector the disk never got. */
function hasZeroSector(buf: Uint8Array, from: number, to: number): boolean {
  let start = from;
  while (start < to) {
    const stop = Math.min(to, (Math.floor(start / SECTOR_BYTES) + 1) * SECTOR_BYTES);
    if (allZero(buf, start, stop)) return true;
    start = stop;
  }
  return false;
}

/** True when some byte of [from, to) is not zero. */
export function hasDataIn(buf: Uint8Array, from: number, to: number): boolean {
  return !allZero(buf, from, to);
}

/** Decodes the frames of `buf`, a segment file or (with `prefix`) its beginning, from `from` on. */
export function decodeSegment(buf: Uint8Array, options: DecodeOptions = {}): SegmentScan {
  const records: DecodedRecord[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = options.from ?? 0;
  const stopped = (stop: StopReason): SegmentScan => ({ records, end: off, stop });
  for (;;) {
    const remaining = buf.length - off;
    if (options.prefix && remaining < FRAME_HEADER_BYTES) return stopped({ kind: 'more' });
    if (remaining === 0) return stopped({ kind: 'clean' });
    if (remaining < FRAME_HEADER_BYTES) {
      return stopped(allZero(buf, off, buf.length) ? { kind: 'clean' } : { kind: 'torn', detail: 'partial frame header' });
    }
    const body = view.getUint32(off, true);
    const crc = view.getUint32(off + 4, true);
    if (body === 0) {
      // The 8-byte header never straddles a sector, so it is written whole or not at all.
      return stopped(crc === 0 ? { kind: 'clean' } : { kind: 'corrupt', detail: 'zero record length' });
    }
    const bodyStart = off + FRAME_HEADER_BYTES;
    const next = bodyStart + body + paddingFor(body);
    if (next > buf.length) return stopped(options.prefix ? { kind: 'more' } : { kind: 'torn', detail: 'frame runs past the end of the file' });
    if (crc32c(buf, crc32c(buf, 0, off, off + 4), bodyStart, bodyStart + body) !== crc) {
      // Padding is excluded: a few zero pad bytes alone in a sector are not a sign of a torn write.
      return stopped(hasZeroSector(buf, bodyStart, bodyStart + body) ? { kind: 'torn', detail: 'zeroed sector' } : { kind: 'crc-mismatch' });
    }
    records.push({ type: buf[bodyStart], payload: buf.subarray(bodyStart + 1, bodyStart + body), offset: off });
    off = next;
  }
}
