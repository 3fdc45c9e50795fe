// Reads a log back: segments in order, their records decoded and interpreted. Damage in any
// segment but the last is an error; what ends the last segment (cleanly, torn, or followed by
// stray bytes) is reported to the caller, which decides whether to repair it.

import * as path from 'node:path';
import { WalError } from './errors';
import { scanSegmentFile } from './segment_file';
import { SegmentName, allSegments, firstSegmentCovering } from './names';
import {
  Entry,
  HardState,
  RecordType,
  SnapshotMarker,
  WalMetadata,
  decodeEntry,
  decodeHardState,
  decodeMetadata,
  decodeSnapshotMarker,
} from './record';

export type LogRecord =
  | { type: RecordType.Metadata; metadata: WalMetadata }
  | { type: RecordType.Entry; entry: Entry }
  | { type: RecordType.State; state: HardState }
  | { type: RecordType.Snapshot; snapshot: SnapshotMarker };

export interface LocatedRecord {
  record: LogRecord;
  /** "<segment> at offset <n>", for error messages. */
  where: string;
}

export interface TailEnd {
  segment: SegmentName;
  /** Offset just after the last complete record of the last segment. */
  end: number;
  /** Set when bytes after `end` must go: why, for the log line. */
  damage?: string;
}

function decodeRecord(type: number, payload: Uint8Array, where: string): LogRecord {
  const malformed = (what: string) => new WalError('corrupt', `wal: malformed ${what} record in ${where}`);
  switch (type) {
    case RecordType.Metadata: {
      const metadata = decodeMetadata(payload);
      if (!metadata) throw malformed('metadata');
      return { type, metadata };
    }
    case RecordType.Entry: {
      const entry = decodeEntry(payload);
      if (!entry) throw malformed('entry');
      return { type, entry };
    }
    case RecordType.State: {
      const state = decodeHardState(payload);
      if (!state) throw malformed('hard state');
      return { type, state };
    }
    case RecordType.Snapshot: {
      const snapshot = decodeSnapshotMarker(payload);
      if (!snapshot) throw malformed('snapshot');
      return { type, snapshot };
    }
    default:
      throw new WalError('corrupt', `wal: unknown record type ${type} in ${where}`);
  }
}

/**
 * Every record of a log directory, read once: a restart picks its snapshot from these records and
 * replays the log after it from them (reading the segments twice doubled the time a restart spends
 * reading and checksumming hundreds of MB).
 */
export interface LogScan {
  /** every segment of the directory, in sequence */
  segments: SegmentName[];
  records: LocatedRecord[];
  /** records[firstRecord[i]] is the first record of segments[i] (records.length when it has none) */
  firstRecord: number[];
  tail: TailEnd;
}

/** Reads and checks every segment of the log in `dir`, changing none; damage anywhere but at the end of the last segment is an error. */
export function scanLog(dir: string): LogScan {
  const segments = allSegments(dir);
  const records: LocatedRecord[] = [];
  const firstRecord: number[] = [];
  let tail: TailEnd | undefined;
  segments.forEach((segment, i) => {
    const { name } = segment;
    const isLast = i === segments.length - 1;
    firstRecord.push(records.length);
    const scan = scanSegmentFile(path.join(dir, name));
    for (const rec of scan.records) {
      const where = `${name} at offset ${rec.offset}`;
      records.push({ record: decodeRecord(rec.type, rec.payload, where), where });
    }
    const stop = scan.stop;
    const at = `${name} at offset ${scan.end}`;
    if (stop.kind === 'crc-mismatch') throw new WalError('crc-mismatch', `wal: crc mismatch in ${at}`);
    if (stop.kind === 'corrupt') throw new WalError('corrupt', `wal: corrupt record in ${at}: ${stop.detail}`);
    if (!isLast) {
      // A segment is cut where its data ends, so anything else in one that is not the last is damage.
      if (stop.kind === 'torn') throw new WalError('corrupt', `wal: torn record in ${at} (${stop.detail}), but it is not the last segment`);
      if (scan.end < scan.size) throw new WalError('corrupt', `wal: zeroed data in ${at}, before the end of a segment that is not the last`);
      return;
    }
    tail = { segment, end: scan.end };
    if (stop.kind === 'torn') tail.damage = `torn last record (${stop.detail})`;
    else if (scan.dataAfterEnd) tail.damage = 'unreadable bytes after the last record';
  });
  if (!tail) throw new WalError('not-found', `wal: no wal files in ${dir}`);
  return { segments, records, firstRecord, tail };
}

export interface LogRead {
  metadata: WalMetadata;
  hardState: HardState;
  entries: Entry[];
  snapshots: SnapshotMarker[];
  /** The highest index the log is known to reach: where the next segment's name starts. */
  lastIndex: number;
  tail: TailEnd;
}

/**
 * The log from the raft snapshot `start` on, as read by scanLog: the records of the last segment
 * starting at or before it and of all after it give the entries after it (a later entry replaces
 * an earlier one at the same index and all after it), the last hard state, and every snapshot
 * marker. The marker of `start` must be among them.
 */
export function readLog(scan: LogScan, start: { index: number; term: number }): LogRead {
  const first = firstSegmentCovering(scan.segments, start.index);
  let metadata: WalMetadata | undefined;
  let hardState: HardState = { term: 0, vote: 0n, commit: 0 }; // the caller's own, not the frozen constant
  const entries: Entry[] = [];
  const snapshots: SnapshotMarker[] = [];
  let matched = false;
  let lastIndex = start.index;

  const { records, tail } = scan;
  for (let i = scan.firstRecord[first]; i < records.length; i++) {
    const { record: rec, where } = records[i];
    switch (rec.type) {
      case RecordType.Metadata: {
        const m = rec.metadata;
        if (metadata && (metadata.nodeId !== m.nodeId || metadata.clusterId !== m.clusterId)) {
          throw new WalError('metadata-conflict', `wal: conflicting metadata found in ${where}`);
        }
        metadata = m;
        break;
      }
      case RecordType.Entry: {
        const e = rec.entry;
        if (e.index > start.index) {
          const at = e.index - start.index - 1;
          if (at > entries.length) {
            throw new WalError('corrupt', `wal: entry ${e.index} in ${where} leaves a gap after index ${start.index + entries.length}`);
          }
          entries.length = at;
          entries.push(e);
        }
        lastIndex = e.index;
        break;
      }
      case RecordType.State:
        hardState = rec.state;
        break;
      case RecordType.Snapshot: {
        const s = rec.snapshot;
        snapshots.push(s);
        if (s.index === start.index) {
          if (s.term !== start.term) {
            throw new WalError('snapshot-mismatch', `wal: snapshot mismatch: ${where} has index ${s.index} at term ${s.term}, expected term ${start.term}`);
          }
          matched = true;
        }
        lastIndex = Math.max(lastIndex, s.index);
        break;
      }
    }
  }

  if (!metadata) throw new WalError('corrupt', `wal: no metadata record in ${scan.segments[first].name}`);
  if (!matched) {
    throw new WalError('snapshot-not-found', `wal: snapshot not found: no marker for index ${start.index} term ${start.term}`);
  }
  return { metadata, hardState, entries, snapshots, lastIndex, tail };
}

/**
 * The snapshot markers of a scanned log that a restart may start from: those at or below the
 * commit index of the last hard state (etcd's ValidSnapshotEntries). A torn tail is simply where
 * the records end.
 */
export function validSnapshotMarkers(scan: LogScan): SnapshotMarker[] {
  const markers: SnapshotMarker[] = [];
  let commit = 0;
  for (const { record } of scan.records) {
    if (record.type === RecordType.Snapshot) markers.push(record.snapshot);
    else if (record.type === RecordType.State) commit = record.state.commit;
  }
  return markers.filter((m) => m.index <= commit);
}
