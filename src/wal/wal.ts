// The write-ahead log: a directory of segments holding raft entries, hard states and snapshot
// markers. Opening reads everything after a snapshot; appending goes through one ordered queue so
// that saves issued in the same turn share one durable write (group commit).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { WalError, messageOf } from './errors';
import { RawRecord, encodeFrames } from './encoder';
import { DURABLE_APPEND, FILE_MODE, DIR_MODE, closeFile, fdatasync, ftruncate, rename, syncDir, syncDirSync, unlink, writeAll, writeAllSync } from './fsio';
import { FilePipeline } from './file_pipeline';
import { SegmentName, listSegments, segmentsFrom, walExists, walName } from './names';
import { LogScan, readLog, scanLog } from './reader';
import {
  EMPTY_HARD_STATE,
  Entry,
  HardState,
  RecordType,
  SnapshotMarker,
  WalMetadata,
  encodeEntry,
  encodeHardState,
  encodeMetadata,
  encodeSnapshotMarker,
  isEmptyHardState,
  sameHardState,
} from './record';
import { WalLogger, stderrLogger } from './logger';
import { keepBrokenCopy, removeTemporaries, resetTail } from './repair';

/** etcd's segment size: a segment is cut once it grows past this. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1000 * 1000;
const SLOW_SYNC_SECONDS = 1;

export interface WalOptions {
  /** Size at which a segment is cut (default 64 MB, as etcd); small values are for tests. */
  segmentBytes?: number;
  logger?: WalLogger;
  /** Called with the duration of every durable write or fdatasync (etcd_disk_wal_fsync_duration_seconds). */
  onSync?: (seconds: number) => void;
  /** Called with the bytes of every write, a new segment's header included (etcd_disk_wal_write_bytes_total). */
  onWrite?: (bytes: number) => void;
  /** Called at named points of the durability path, so crash tests can stop the process there. */
  failpoint?: (name: WalFailpoint) => void;
  /**
   * etcd's --max-wals: released segments are deleted, oldest first, only while more than this many
   * segment files remain (0: none is ever deleted). Default 5, as etcd.
   */
  maxFiles?: number;
}

/** etcd's --max-wals default. */
const DEFAULT_MAX_FILES = 5;

/** etcd's gofail points in wal.go (walBeforeSync, walAfterSync), plus both sides of a cut's rename. */
export type WalFailpoint = 'walBeforeSync' | 'walAfterSync' | 'walBeforeCutRename' | 'walAfterCutRename';

export interface OpenOptions extends WalOptions {
  /** Read from this raft snapshot on; its marker must be in the log. Default {index 0, term 0}. */
  snapshot?: { index: number; term: number };
}

export interface WalContents {
  metadata: WalMetadata;
  /** The last hard state saved (empty when none was). */
  hardState: HardState;
  /** Entries after the snapshot index; a later entry replaces an earlier one at the same index. */
  entries: Entry[];
  /** Snapshot markers found in the segments read, in log order. */
  snapshots: SnapshotMarker[];
}

interface Settle<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

interface WriteJob {
  kind: 'write';
  frames: Buffer;
  /** Index of the last entry written by this job. */
  lastIndex?: number;
  /** A snapshot marker's index: the log is known up to at least here. */
  snapshotIndex?: number;
  state?: HardState;
  settle: Settle<void>;
}

interface ReleaseJob {
  kind: 'release';
  index: number;
  settle: Settle<string[]>;
}

interface Tail {
  fd: number;
  segment: SegmentName;
  offset: number;
}

/** Clears the way for a new log: only what a crashed log leaves (temporaries, .broken copies) may be there. */
function removeLeftovers(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const other = names.find((n) => !n.endsWith('.tmp') && !n.endsWith('.broken'));
  if (other !== undefined) throw new WalError('exists', `wal: ${dir} is not empty (it holds ${other})`);
  fs.rmSync(dir, { recursive: true });
}

function checkMaxFiles(n: number | undefined): number {
  if (n === undefined) return DEFAULT_MAX_FILES;
  if (!Number.isSafeInteger(n) || n < 0) throw new WalError('invalid-argument', `wal: max files must be a whole number, 0 or more, got ${n}`);
  return n;
}

function checkSegmentBytes(n: number | undefined): number {
  if (n === undefined) return DEFAULT_SEGMENT_BYTES;
  if (!Number.isSafeInteger(n) || n < 64) throw new WalError('invalid-argument', `wal: segment size must be an integer of at least 64 bytes, got ${n}`);
  return n;
}

export class Wal {
  private readonly segmentBytes: number;
  private readonly maxFiles: number;
  private readonly logger: WalLogger;
  private readonly onSync?: (seconds: number) => void;
  private readonly onWrite?: (bytes: number) => void;
  private readonly failpoint?: (name: WalFailpoint) => void;
  /** Set by open until readAll has run; a log is appendable only after that. */
  private pendingRead?: { start: { index: number; term: number } };
  private metadata?: WalMetadata;
  private tail?: Tail;
  private pipeline?: FilePipeline;
  private readonly queue: (WriteJob | ReleaseJob)[] = [];
  private running = false;
  private draining: Promise<void> = Promise.resolve();
  private failure?: WalError;
  private closed = false;
  private closing?: Promise<void>;
  /** The hard state of the latest save, in call order: decides what the next save must write. */
  private lastState: HardState = EMPTY_HARD_STATE;
  /** What has reached the file: used for the header and the name of the next segment. */
  private writtenState: HardState = EMPTY_HARD_STATE;
  private writtenLastIndex = 0;
  /** Index of the last entry of the latest save, in call order: the next save must not leave a gap. */
  private enqueuedLastIndex = 0;
  /** lastState moved only its commit index since the last write: the next write (or close) carries it. */
  private stateDeferred = false;

  /** The log directory, absolute. */
  readonly dir: string;

  private constructor(dir: string, options: WalOptions) {
    this.dir = path.resolve(dir);
    this.segmentBytes = checkSegmentBytes(options.segmentBytes);
    this.maxFiles = checkMaxFiles(options.maxFiles);
    this.logger = options.logger ?? stderrLogger;
    this.onSync = options.onSync;
    this.onWrite = options.onWrite;
    this.failpoint = options.failpoint;
  }

  /**
   * Creates a log in `dir` (which must not hold one) with `metadata` at its head and the empty
   * snapshot marker {0, 0}. It is built in `<dir>.tmp` and renamed, so it appears whole or not at
   * all. The returned log is ready to append.
   */
  static create(dir: string, metadata: WalMetadata, options: WalOptions = {}): Wal {
    const wal = new Wal(dir, options);
    if (walExists(dir)) throw new WalError('exists', `wal: ${dir} already holds a wal`);
    const target = wal.dir;
    removeLeftovers(target);
    const tmp = `${target}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true, mode: DIR_MODE });
    const first = walName(0, 0);
    const header = encodeFrames([
      { type: RecordType.Metadata, payload: encodeMetadata(metadata) },
      { type: RecordType.Snapshot, payload: encodeSnapshotMarker({ index: 0, term: 0 }) },
    ]);
    const fd = fs.openSync(path.join(tmp, first), 'w+', FILE_MODE);
    try {
      fs.ftruncateSync(fd, wal.segmentBytes);
      writeAllSync(fd, header, 0);
      wal.onWrite?.(header.length);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    syncDirSync(tmp);
    fs.renameSync(tmp, target);
    syncDirSync(path.dirname(target));
    const tailFd = fs.openSync(path.join(target, first), DURABLE_APPEND);
    wal.startAppending({ fd: tailFd, segment: { name: first, seq: 0, index: 0 }, offset: header.length }, metadata, EMPTY_HARD_STATE, 0);
    return wal;
  }

  /** Opens the log in `dir` for reading from `options.snapshot`; call readAll next. */
  static open(dir: string, options: OpenOptions = {}): Wal {
    const wal = new Wal(dir, options);
    const start = options.snapshot ?? { index: 0, term: 0 };
    segmentsFrom(wal.dir, start.index); // fails now, as etcd's open does, when no segment covers the snapshot
    wal.pendingRead = { start: { index: start.index, term: start.term } };
    return wal;
  }

  /**
   * Reads every record after the snapshot the log was opened at and makes the log appendable.
   * A torn last record is cut off (logged, the original kept as `.broken`); any other damage
   * throws a WalError naming the segment and offset. `scan` is the directory's records when the
   * caller has read them already (to choose the snapshot), so they are not read again.
   */
  readAll(scan: LogScan = scanLog(this.dir)): WalContents {
    const pending = this.pendingRead;
    if (!pending) throw new WalError('bad-state', 'wal: readAll must be called once, right after open');
    this.pendingRead = undefined;
    const { metadata, hardState, entries, snapshots, lastIndex, tail } = readLog(scan, pending.start);
    const { segment: last, end, damage } = tail;
    if (damage) {
      keepBrokenCopy(path.join(this.dir, last.name));
      this.logger.warn(`wal: cutting off ${damage} in ${last.name} at offset ${end}; the file as found is kept as ${last.name}.broken`);
    }

    const fd = fs.openSync(path.join(this.dir, last.name), DURABLE_APPEND);
    try {
      resetTail(fd, end, { segmentBytes: this.segmentBytes, discard: damage !== undefined });
      removeTemporaries(this.dir);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.startAppending({ fd, segment: last, offset: end }, metadata, hardState, lastIndex);
    return { metadata, hardState, entries, snapshots };
  }

  /**
   * Appends `entries` and `hardState` (skipped when empty or unchanged) in one durable write,
   * shared with the other saves waiting in the queue. Saves complete in call order. A save that
   * only moves the commit index writes nothing and resolves at
   * once: raft does not need the commit durable (etcd writes it without a sync), and a write of its
   * own would cost a trip to libuv's thread pool on the commit path. That hard state goes out with
   * the next write, or at close. Resolves once the records are on disk.
   */
  async save(hardState: HardState | undefined, entries: readonly Entry[]): Promise<void> {
    this.checkAppendable();
    const records: RawRecord[] = entries.map((e) => ({ type: RecordType.Entry, payload: encodeEntry(e) }));
    // A gap would make the log unreadable on the next open, so it is refused here.
    entries.forEach((e, i) => {
      const prev = i === 0 ? this.enqueuedLastIndex : entries[i - 1].index;
      if (i === 0 ? e.index > prev + 1 : e.index !== prev + 1) {
        throw new WalError('invalid-argument', `wal: entry index ${e.index} does not follow ${prev}`);
      }
    });
    const prev = this.lastState;
    const changed = hardState && !isEmptyHardState(hardState) && !sameHardState(hardState, prev) ? { ...hardState } : undefined;
    if (changed) this.lastState = changed;
    const sync = entries.length > 0 || (changed !== undefined && (changed.term !== prev.term || changed.vote !== prev.vote));
    if (!sync) {
      if (changed) this.stateDeferred = true;
      return;
    }
    const state = changed ?? (this.stateDeferred ? this.lastState : undefined);
    this.stateDeferred = false;
    if (state) records.push({ type: RecordType.State, payload: encodeHardState(state) });
    const frames = encodeFrames(records);
    if (entries.length > 0) this.enqueuedLastIndex = entries[entries.length - 1].index;
    const lastIndex = entries.length > 0 ? entries[entries.length - 1].index : undefined;
    return new Promise<void>((resolve, reject) => this.enqueue({ kind: 'write', frames, lastIndex, state, settle: { resolve, reject } }));
  }

  /**
   * Records that a raft snapshot was saved at `marker`, durably, after earlier saves. A marker
   * counts on reopening only at or below the last hard state's commit (validSnapshotMarkers), so
   * the hard state goes with it, its commit raised to the marker when behind: a snapshot holds only
   * committed entries, and the commit of a snapshot from the leader is saved after the marker.
   */
  async saveSnapshot(marker: SnapshotMarker): Promise<void> {
    this.checkAppendable();
    const records: RawRecord[] = [{ type: RecordType.Snapshot, payload: encodeSnapshotMarker(marker) }];
    let state: HardState | undefined;
    if (!isEmptyHardState(this.lastState) && (this.stateDeferred || marker.index > this.lastState.commit)) {
      state = { ...this.lastState, commit: Math.max(this.lastState.commit, marker.index) };
      this.lastState = state;
      this.stateDeferred = false;
      records.push({ type: RecordType.State, payload: encodeHardState(state) });
    }
    const frames = encodeFrames(records);
    this.enqueuedLastIndex = Math.max(this.enqueuedLastIndex, marker.index);
    return new Promise<void>((resolve, reject) =>
      this.enqueue({ kind: 'write', frames, snapshotIndex: marker.index, state, settle: { resolve, reject } }),
    );
  }

  /**
   * Releases the segments that hold nothing at or after raft `index` (each is followed by a
   * segment starting at or before `index`) and deletes them, oldest first, while more than
   * `maxFiles` segments remain; the tail is never deleted. A segment kept is deleted by a later call.
   * Call it with the index of a snapshot whose marker is saved. Resolves with the names deleted.
   */
  async releaseTo(index: number): Promise<string[]> {
    this.checkAppendable();
    return new Promise<string[]>((resolve, reject) => this.enqueue({ kind: 'release', index, settle: { resolve, reject } }));
  }

  /** Waits for queued work, writes a hard state still waiting, and closes the files. */
  close(): Promise<void> {
    this.closing ??= this.closeFiles();
    return this.closing;
  }

  private async closeFiles(): Promise<void> {
    this.closed = true;
    while (this.running) await this.draining;
    const tail = this.tail;
    this.tail = undefined;
    try {
      if (tail && this.stateDeferred && !this.failure) {
        const frames = encodeFrames([{ type: RecordType.State, payload: encodeHardState(this.lastState) }]);
        await this.writeDurably(tail.fd, frames, tail.offset);
        tail.offset += frames.length;
        this.stateDeferred = false;
      }
    } finally {
      if (tail) await closeFile(tail.fd);
      await this.pipeline?.close();
    }
  }

  private startAppending(tail: Tail, metadata: WalMetadata, state: HardState, lastIndex: number): void {
    this.tail = tail;
    this.metadata = metadata;
    this.lastState = { ...state }; // not the object handed to the caller, who may change it
    this.writtenState = this.lastState;
    this.writtenLastIndex = lastIndex;
    this.enqueuedLastIndex = lastIndex;
    this.pipeline = new FilePipeline(this.dir, this.segmentBytes);
  }

  private checkAppendable(): void {
    if (this.closed) throw new WalError('bad-state', 'wal: closed');
    if (this.failure) throw this.failure;
    if (!this.tail) throw new WalError('bad-state', 'wal: readAll must complete before appending');
  }

  private enqueue(job: WriteJob | ReleaseJob): void {
    this.queue.push(job);
    if (!this.running) {
      this.running = true;
      this.draining = this.drain();
    }
  }

  /** Runs queued jobs until none is left. `running` is cleared in the same step that finds the
   * queue empty, so a job enqueued at any moment is either seen by this loop or starts a new one. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        if (head.kind === 'release') {
          this.queue.shift();
          await this.release(head);
          continue;
        }
        let n = 1;
        while (n < this.queue.length && this.queue[n].kind === 'write') n++;
        await this.writeBatch(this.queue.splice(0, n) as WriteJob[]);
      }
    } finally {
      this.running = false;
    }
  }

  private async writeBatch(batch: WriteJob[]): Promise<void> {
    const tail = this.tail;
    if (this.failure || !tail) {
      const err = this.failure ?? new WalError('bad-state', 'wal: closed');
      for (const job of batch) job.settle.reject(err);
      return;
    }
    try {
      const buf = batch.length === 1 ? batch[0].frames : Buffer.concat(batch.map((j) => j.frames));
      this.failpoint?.('walBeforeSync');
      await this.writeDurably(tail.fd, buf, tail.offset);
      this.failpoint?.('walAfterSync');
      tail.offset += buf.length;
      for (const job of batch) {
        if (job.lastIndex !== undefined) this.writtenLastIndex = job.lastIndex;
        if (job.snapshotIndex !== undefined) this.writtenLastIndex = Math.max(this.writtenLastIndex, job.snapshotIndex);
        if (job.state) this.writtenState = job.state;
      }
    } catch (err) {
      this.fail(err);
      for (const job of batch) job.settle.reject(this.failure);
      return;
    }
    for (const job of batch) job.settle.resolve();
    if (tail.offset >= this.segmentBytes) {
      try {
        await this.cut(tail);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  /** After a failed write or sync the state of the file is unknown: refuse all further appends. */
  private fail(err: unknown): void {
    this.failure ??= new WalError('write-failed', `wal: log is unusable after a failed write: ${messageOf(err)}`, { cause: err });
    this.logger.warn(this.failure.message);
  }

  /** A write through the segment's O_DSYNC descriptor: on disk when it resolves, timed as etcd times its fdatasync. */
  private async writeDurably(fd: number, buf: Buffer, offset: number): Promise<void> {
    const started = process.hrtime.bigint();
    await writeAll(fd, buf, offset);
    this.onWrite?.(buf.length);
    this.observeSync(started);
  }

  /** For what O_DSYNC does not cover: a segment's length after ftruncate. */
  private async sync(fd: number): Promise<void> {
    const started = process.hrtime.bigint();
    await fdatasync(fd);
    this.observeSync(started);
  }

  private observeSync(started: bigint): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.onSync?.(seconds);
    if (seconds > SLOW_SYNC_SECONDS) this.logger.warn(`wal: slow fdatasync took ${Math.round(seconds * 1000)}ms`);
  }

  /**
   * Ends the tail segment where its data ends and continues in a new one, which starts with the
   * metadata and the current hard state. The new file is written under a temporary name and
   * renamed only once complete.
   */
  private async cut(old: Tail): Promise<void> {
    await ftruncate(old.fd, old.offset);
    await this.sync(old.fd);
    const next = await this.pipeline!.take();
    const records: RawRecord[] = [{ type: RecordType.Metadata, payload: encodeMetadata(this.metadata!) }];
    if (!isEmptyHardState(this.writtenState)) records.push({ type: RecordType.State, payload: encodeHardState(this.writtenState) });
    const header = encodeFrames(records);
    const segment: SegmentName = { name: walName(old.segment.seq + 1, this.writtenLastIndex + 1), seq: old.segment.seq + 1, index: this.writtenLastIndex + 1 };
    try {
      await writeAll(next.fd, header, 0);
      this.onWrite?.(header.length);
      await this.sync(next.fd);
      this.failpoint?.('walBeforeCutRename');
      await rename(next.path, path.join(this.dir, segment.name));
    } catch (err) {
      // The log is unusable after this; at least the descriptor does not leak.
      await closeFile(next.fd).catch(() => undefined);
      throw err;
    }
    this.tail = { fd: next.fd, segment, offset: header.length };
    await closeFile(old.fd);
    await syncDir(this.dir);
    this.failpoint?.('walAfterCutRename');
    this.logger.info(`wal: created segment ${segment.name}`);
  }

  private async release(job: ReleaseJob): Promise<void> {
    try {
      const all = listSegments(this.dir);
      const removed: string[] = [];
      let excess = this.maxFiles === 0 ? 0 : all.length - this.maxFiles;
      for (let i = 0; i + 1 < all.length && excess > 0; i++, excess--) {
        if (all[i + 1].index > job.index || all[i].name === this.tail?.segment.name) break;
        await unlink(path.join(this.dir, all[i].name));
        removed.push(all[i].name);
        this.logger.info(`wal: released segment ${all[i].name}`);
      }
      if (removed.length > 0) await syncDir(this.dir);
      job.settle.resolve(removed);
    } catch (err) {
      job.settle.reject(new WalError('write-failed', `wal: releasing segments before index ${job.index} failed: ${messageOf(err)}`, { cause: err }));
    }
  }
}
