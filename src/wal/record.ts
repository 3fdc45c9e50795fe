// What each record type carries, and the fixed little-endian layout of its payload.
// Numbers that raft keeps as JS numbers (term, index, commit) are stored as u64 and must be safe
// integers; node ids are bigint u64.

import { WalError } from './errors';

export enum RecordType {
  Metadata = 1,
  Entry = 2,
  State = 3,
  Snapshot = 4,
}

/** A raft log entry, structurally the same as raft's Entry. */
export interface Entry {
  term: number;
  index: number;
  type: number;
  data: Uint8Array;
}

/** Raft's persistent state, structurally the same as raft's HardState. */
export interface HardState {
  term: number;
  vote: bigint;
  commit: number;
}

/** Written at the head of every segment: who wrote this log. */
export interface WalMetadata {
  nodeId: bigint;
  clusterId: bigint;
}

/** Says a raft snapshot at (index, term) was saved; `confState` is opaque to the log. */
export interface SnapshotMarker {
  index: number;
  term: number;
  confState?: Uint8Array;
}

const ENTRY_HEADER_BYTES = 20;
const TWO_32 = 2 ** 32;
const MAX_U64 = (1n << 64n) - 1n;

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: 0n, commit: 0 });

export function isEmptyHardState(s: HardState): boolean {
  return s.term === 0 && s.vote === 0n && s.commit === 0;
}

export function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function putNumber(view: DataView, at: number, n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new WalError('invalid-argument', `wal: ${what} must be a non-negative safe integer, got ${n}`);
  }
  view.setUint32(at, n % TWO_32, true);
  view.setUint32(at + 4, Math.floor(n / TWO_32), true);
}

function putBigint(view: DataView, at: number, n: bigint, what: string): void {
  if (typeof n !== 'bigint' || n < 0n || n > MAX_U64) {
    throw new WalError('invalid-argument', `wal: ${what} must be a u64 bigint, got ${String(n)}`);
  }
  view.setBigUint64(at, n, true);
}

/** Reads a u64 written by putNumber; undefined when it is beyond Number.MAX_SAFE_INTEGER. */
function getNumber(view: DataView, at: number): number | undefined {
  const high = view.getUint32(at + 4, true);
  if (high >= 2 ** 21) return undefined;
  return high * TWO_32 + view.getUint32(at, true);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeMetadata(m: WalMetadata): Uint8Array {
  const out = new Uint8Array(16);
  const v = viewOf(out);
  putBigint(v, 0, m.nodeId, 'metadata node id');
  putBigint(v, 8, m.clusterId, 'metadata cluster id');
  return out;
}

export function encodeEntry(e: Entry): Uint8Array {
  const data = e.data ?? new Uint8Array(0);
  const out = new Uint8Array(ENTRY_HEADER_BYTES + data.length);
  const v = viewOf(out);
  putNumber(v, 0, e.index, 'entry index');
  putNumber(v, 8, e.term, 'entry term');
  if (!Number.isInteger(e.type) || e.type < 0 || e.type >= TWO_32) {
    throw new WalError('invalid-argument', `wal: entry type must be a u32, got ${e.type}`);
  }
  v.setUint32(16, e.type, true);
  out.set(data, ENTRY_HEADER_BYTES);
  return out;
}

export function encodeHardState(s: HardState): Uint8Array {
  const out = new Uint8Array(24);
  const v = viewOf(out);
  putNumber(v, 0, s.term, 'hard state term');
  putBigint(v, 8, s.vote, 'hard state vote');
  putNumber(v, 16, s.commit, 'hard state commit');
  return out;
}

export function encodeSnapshotMarker(s: SnapshotMarker): Uint8Array {
  const conf = s.confState ?? new Uint8Array(0);
  const out = new Uint8Array(16 + conf.length);
  const v = viewOf(out);
  putNumber(v, 0, s.index, 'snapshot index');
  putNumber(v, 8, s.term, 'snapshot term');
  out.set(conf, 16);
  return out;
}

// Decoders return undefined for a payload whose shape is wrong; the caller names file and offset.
// Byte fields are views into the segment's buffer, not copies: a log read at start-up can hold
// a hundred thousand entries, and the buffer is little more than their bytes anyway.

function viewInto(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function decodeMetadata(p: Uint8Array): WalMetadata | undefined {
  if (p.length !== 16) return undefined;
  const v = viewOf(p);
  return { nodeId: v.getBigUint64(0, true), clusterId: v.getBigUint64(8, true) };
}

export function decodeEntry(p: Uint8Array): Entry | undefined {
  if (p.length < ENTRY_HEADER_BYTES) return undefined;
  const v = viewOf(p);
  const index = getNumber(v, 0);
  const term = getNumber(v, 8);
  if (index === undefined || term === undefined) return undefined;
  return { index, term, type: v.getUint32(16, true), data: viewInto(p.subarray(ENTRY_HEADER_BYTES)) };
}

export function decodeHardState(p: Uint8Array): HardState | undefined {
  if (p.length !== 24) return undefined;
  const v = viewOf(p);
  const term = getNumber(v, 0);
  const commit = getNumber(v, 16);
  if (term === undefined || commit === undefined) return undefined;
  return { term, vote: v.getBigUint64(8, true), commit };
}

export function decodeSnapshotMarker(p: Uint8Array): SnapshotMarker | undefined {
  if (p.length < 16) return undefined;
  const v = viewOf(p);
  const index = getNumber(v, 0);
  const term = getNumber(v, 8);
  if (index === undefined || term === undefined) return undefined;
  const marker: SnapshotMarker = { index, term };
  if (p.length > 16) marker.confState = viewInto(p.subarray(16));
  return marker;
}
