// Reads one segment file. A tail segment is mostly preallocated zeros (64 MB by default), and on
// some machines merely touching that much fresh memory takes seconds, so the file is read in
// growing pieces only as far as its frames go; the rest is checked for stray bytes through one
// small reused buffer. Decoded payloads are views into the buffer read.

import * as fs from 'node:fs';
import { SegmentScan, decodeSegment, hasDataIn } from './decoder';

const CHUNK_BYTES = 1 << 20;

export interface SegmentFileScan extends SegmentScan {
  /** The file's size. */
  size: number;
  /** True when a byte after `end` is not zero (only looked for when the scan stopped cleanly). */
  dataAfterEnd: boolean;
}

/** Fills `target` with the file's bytes from `position` on. */
function readInto(fd: number, target: Buffer, position: number): void {
  for (let got = 0; got < target.length; ) {
    const n = fs.readSync(fd, target, got, target.length - got, position + got);
    if (n <= 0) throw new Error(`short read at offset ${position + got}`);
    got += n;
  }
}

/** The frames of the segment at `file`, where and why they stop, and whether stray bytes follow. */
export function scanSegmentFile(file: string): SegmentFileScan {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // Uninitialised memory is not committed until written, so only what is read costs anything.
    const buf = Buffer.allocUnsafe(size);
    const records: SegmentScan['records'] = [];
    let have = 0;
    let from = 0;
    for (;;) {
      const next = Math.min(size, Math.max(2 * have, CHUNK_BYTES));
      readInto(fd, buf.subarray(have, next), have);
      have = next;
      const scan = decodeSegment(buf.subarray(0, have), { from, prefix: have < size });
      for (const r of scan.records) records.push(r); // a spread would overflow the stack on a big segment
      if (scan.stop.kind !== 'more') {
        const clean = scan.stop.kind === 'clean';
        return { records, end: scan.end, stop: scan.stop, size, dataAfterEnd: clean && strayBytes(fd, buf.subarray(0, have), scan.end, size) };
      }
      from = scan.end;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether [end, size) holds a non-zero byte; `read` holds the file's first `read.length` bytes. */
function strayBytes(fd: number, read: Buffer, end: number, size: number): boolean {
  if (hasDataIn(read, end, read.length)) return true;
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - read.length));
  for (let at = read.length; at < size; at += chunk.length) {
    const n = Math.min(chunk.length, size - at);
    readInto(fd, chunk.subarray(0, n), at);
    if (hasDataIn(chunk, 0, n)) return true;
  }
  return false;
}
