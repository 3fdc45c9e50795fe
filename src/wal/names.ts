// Segment file names: `$seq-$index.wal`, both 16 lowercase hex digits, where seq counts segments
// and index is the raft index of the first entry the segment may hold.

import * as fs from 'node:fs';
import { WalError } from './errors';

export interface SegmentName {
  name: string;
  seq: number;
  index: number;
}

const NAME_PATTERN = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function walName(seq: number, index: number): string {
  return `${hex16(seq)}-${hex16(index)}.wal`;
}

export function parseWalName(name: string): SegmentName | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m) return undefined;
  const seq = Number.parseInt(m[1], 16);
  const index = Number.parseInt(m[2], 16);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(index)) return undefined;
  return { name, seq, index };
}

/** The segments in `dir`, by sequence; other files (temporaries, .broken copies) are ignored. */
export function listSegments(dir: string): SegmentName[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map(parseWalName)
    .filter((s): s is SegmentName => s !== undefined)
    .sort((a, b) => a.seq - b.seq);
}

/** True when `dir` holds at least one segment. */
export function walExists(dir: string): boolean {
  return listSegments(dir).length > 0;
}

function checkSequence(segments: SegmentName[]): SegmentName[] {
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].seq !== segments[i - 1].seq + 1) {
      throw new WalError('corrupt', `wal: segment ${segments[i].name} does not follow ${segments[i - 1].name}: sequence numbers must increase by one`);
    }
  }
  return segments;
}

/** Every segment in `dir`, checked to have no gap in its sequence numbers. */
export function allSegments(dir: string): SegmentName[] {
  const all = listSegments(dir);
  if (all.length === 0) throw new WalError('not-found', `wal: no wal files in ${dir}`);
  return checkSequence(all);
}

/** The position in `segments` (in sequence) of the last one whose first index is at most `index`: reading from it finds everything after `index`. */
export function firstSegmentCovering(segments: readonly SegmentName[], index: number): number {
  for (let i = segments.length - 1; i >= 0; i--) {
    if (segments[i].index <= index) return i;
  }
  throw new WalError('not-found', `wal: file not found which matches the snapshot index ${index}`);
}

/**
 * The segments to read to find everything after raft index `index`: the last one whose first
 * index is at most `index`, and all after it, with no gap in the sequence numbers.
 */
export function segmentsFrom(dir: string, index: number): SegmentName[] {
  const all = listSegments(dir);
  if (all.length === 0) throw new WalError('not-found', `wal: no wal files in ${dir}`);
  return checkSequence(all.slice(firstSegmentCovering(all, index)));
}
