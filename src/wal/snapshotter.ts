// Raft snapshots on disk (`<data-dir>/member/snap/`), one file per snapshot, named
// `$term-$index.snap` (16 hex digits each) as etcd names them. The raft snapshot itself is opaque
// bytes here (raft's codec encodes it). File layout, little-endian:
//   u32 crc      CRC-32C of everything after this field
//   u32 version  1
//   u64 index, u64 term
//   data
// A file is written under a temporary name, made durable, then renamed, so a crash leaves either
// the whole snapshot or none. A file that fails its check when loaded is renamed `<name>.broken`
// and the next older one is tried, as etcd does.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '../checksum';
import { WalError } from './errors';
import { DIR_MODE, FILE_MODE, closeFile, fdatasync, openFile, rename, syncDir, unlink, writeAll } from './fsio';
import { WalLogger, stderrLogger } from './logger';

export interface SnapshotFile {
  index: number;
  term: number;
  /** The encoded raft snapshot. */
  data: Uint8Array;
}

/** How long the steps of a save took, in seconds (etcd's snap metrics). */
export interface SnapshotSaveObserver {
  /** encoding the file's bytes */
  encoded(seconds: number): void;
  /** writing and syncing the file */
  synced(seconds: number): void;
  /** the whole save, once the file is durable under its name */
  saved(seconds: number): void;
}

export interface SnapshotterOptions {
  logger?: WalLogger;
  observer?: SnapshotSaveObserver;
}

const HEADER_BYTES = 24;
const VERSION = 1;
const NAME_PATTERN = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;

function snapName(term: number, index: number): string {
  return `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;
}

function encodeSnapshotFile(s: SnapshotFile): Buffer {
  for (const [what, n] of [['index', s.index], ['term', s.term]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new WalError('invalid-argument', `snap: ${what} must be a non-negative safe integer, got ${n}`);
  }
  const out = Buffer.alloc(HEADER_BYTES + s.data.length);
  out.writeUInt32LE(VERSION, 4);
  out.writeBigUInt64LE(BigInt(s.index), 8);
  out.writeBigUInt64LE(BigInt(s.term), 16);
  out.set(s.data, HEADER_BYTES);
  out.writeUInt32LE(crc32c(out, 0, 4), 0);
  return out;
}

/** The snapshot in `buf`, or why it cannot be used. */
function decodeSnapshotFile(buf: Buffer): SnapshotFile | string {
  if (buf.length === 0) return 'snap: empty snapshot';
  if (buf.length < HEADER_BYTES) return 'snap: truncated snapshot';
  if (crc32c(buf, 0, 4) !== buf.readUInt32LE(0)) return 'snap: crc mismatch';
  const version = buf.readUInt32LE(4);
  if (version !== VERSION) return `snap: unknown snapshot file version ${version}`;
  const index = buf.readBigUInt64LE(8);
  const term = buf.readBigUInt64LE(16);
  if (index > BigInt(Number.MAX_SAFE_INTEGER) || term > BigInt(Number.MAX_SAFE_INTEGER)) return 'snap: index or term out of range';
  return { index: Number(index), term: Number(term), data: new Uint8Array(buf.subarray(HEADER_BYTES)) };
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

export class Snapshotter {
  readonly dir: string;
  private readonly logger: WalLogger;
  private readonly observer: SnapshotSaveObserver | undefined;

  constructor(dir: string, options: SnapshotterOptions = {}) {
    this.dir = path.resolve(dir);
    this.logger = options.logger ?? stderrLogger;
    this.observer = options.observer;
  }

  /** Writes the snapshot durably; the directory is created if missing. */
  async save(snapshot: SnapshotFile): Promise<void> {
    const started = performance.now();
    const bytes = encodeSnapshotFile(snapshot);
    this.observer?.encoded(secondsSince(started));
    await fs.promises.mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    const name = snapName(snapshot.term, snapshot.index);
    const tmp = path.join(this.dir, `${name}.tmp`);
    // etcd times its write-and-sync of the file (open to close) as the snapshot's fsync
    const writeStarted = performance.now();
    const fd = await openFile(tmp, 'w', FILE_MODE);
    try {
      await writeAll(fd, bytes, 0);
      await fdatasync(fd);
    } finally {
      await closeFile(fd);
    }
    this.observer?.synced(secondsSince(writeStarted));
    await rename(tmp, path.join(this.dir, name));
    await syncDir(this.dir);
    this.observer?.saved(secondsSince(started));
  }

  /** The newest snapshot that loads, or undefined when there is none. */
  loadNewest(): SnapshotFile | undefined {
    return this.loadMatching(() => true);
  }

  /**
   * The newest snapshot that loads and that the log has a marker for (pass validSnapshotMarkers):
   * a snapshot file written after its marker's save failed is not used.
   */
  loadNewestAvailable(markers: readonly { index: number; term: number }[]): SnapshotFile | undefined {
    return this.loadMatching((s) => markers.some((m) => m.index === s.index && m.term === s.term));
  }

  /** Deletes all but the newest `keep` snapshot files (etcd's --max-snapshots); returns their names. */
  async purge(keep: number): Promise<string[]> {
    if (!Number.isSafeInteger(keep) || keep < 1) throw new WalError('invalid-argument', `snap: must keep at least one snapshot, got ${keep}`);
    const doomed = this.names().slice(keep);
    for (const name of doomed) await unlink(path.join(this.dir, name));
    if (doomed.length > 0) await syncDir(this.dir);
    return doomed;
  }

  /** Snapshot file names, newest first (the hex names sort by term, then index). */
  private names(): string[] {
    let all: string[];
    try {
      all = fs.readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return all.filter((n) => NAME_PATTERN.test(n)).sort().reverse();
  }

  private loadMatching(wanted: (s: SnapshotFile) => boolean): SnapshotFile | undefined {
    for (const name of this.names()) {
      const file = path.join(this.dir, name);
      let got = decodeSnapshotFile(fs.readFileSync(file));
      if (typeof got !== 'string' && snapName(got.term, got.index) !== name) {
        got = `snap: file name does not match its index ${got.index} and term ${got.term}`;
      }
      if (typeof got === 'string') {
        fs.renameSync(file, `${file}.broken`);
        this.logger.warn(`${got} in ${name}; renamed to ${name}.broken`);
        continue;
      }
      if (wanted(got)) return got;
    }
    return undefined;
  }
}
