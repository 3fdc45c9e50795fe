// A member's raft storage on disk: the WAL (`member/wal`) and the raft snapshots (`member/snap`)
// used together as etcd's server does (server/storage/storage.go): a snapshot file is written
// before its WAL marker, restart loads the newest snapshot the WAL has a marker for and reads the
// WAL from there, and releasing a snapshot's index drops older segments and snapshot files.

import * as path from 'node:path';
import { WalError } from './errors';
import { scanLog, validSnapshotMarkers } from './reader';
import { Wal, WalOptions } from './wal';
import { walExists } from './names';
import { Entry, HardState, WalMetadata } from './record';
import { SnapshotFile, SnapshotSaveObserver, Snapshotter } from './snapshotter';

/** etcd's --max-snapshots default. */
export const DEFAULT_MAX_SNAPSHOTS = 5;

export interface MemberStorageOptions extends WalOptions {
  /** Where the WAL is (etcd's --wal-dir); default `<memberDir>/wal`. */
  walDir?: string;
  /** Snapshot files kept by release (default 5; 0 keeps them all, as etcd's --max-snapshots). */
  maxSnapshots?: number;
  /** told how long each snapshot file's save took */
  snapshotSaves?: SnapshotSaveObserver;
}

export interface RestoredState {
  /** True when no WAL existed and a new one was created with the given metadata. */
  created: boolean;
  /** The WAL's metadata: on restart, what was given at creation, whatever is passed now. */
  metadata: WalMetadata;
  hardState: HardState;
  /** The newest raft snapshot the WAL knows of, if any. */
  snapshot?: SnapshotFile;
  /** WAL entries after the snapshot. */
  entries: Entry[];
}

export class MemberStorage {
  private constructor(
    private readonly wal: Wal,
    private readonly snapshotter: Snapshotter,
    private readonly maxSnapshots: number,
  ) {}

  /**
   * Opens (or, when the WAL directory holds no log, creates with `metadata`) the storage of the member
   * whose directory is `memberDir` (`<data-dir>/member`). Pass undefined metadata to open only.
   */
  static open(memberDir: string, metadata: WalMetadata | undefined, options: MemberStorageOptions = {}): { storage: MemberStorage; restored: RestoredState } {
    const maxSnapshots = options.maxSnapshots ?? DEFAULT_MAX_SNAPSHOTS;
    if (!Number.isSafeInteger(maxSnapshots) || maxSnapshots < 0) {
      throw new WalError('invalid-argument', `wal: max snapshots must be a whole number, 0 or more, got ${maxSnapshots}`);
    }
    const walDir = options.walDir ?? path.join(memberDir, 'wal');
    const snapshotter = new Snapshotter(path.join(memberDir, 'snap'), { logger: options.logger, observer: options.snapshotSaves });
    if (!walExists(walDir)) {
      if (metadata === undefined) throw new WalError('not-found', `wal: no log in ${walDir}`);
      const wal = Wal.create(walDir, metadata, options);
      return {
        storage: new MemberStorage(wal, snapshotter, maxSnapshots),
        restored: { created: true, metadata, hardState: { term: 0, vote: 0n, commit: 0 }, entries: [] },
      };
    }
    const scan = scanLog(walDir);
    const snapshot = snapshotter.loadNewestAvailable(validSnapshotMarkers(scan));
    const wal = Wal.open(walDir, { ...options, snapshot: snapshot && { index: snapshot.index, term: snapshot.term } });
    const contents = wal.readAll(scan);
    return {
      storage: new MemberStorage(wal, snapshotter, maxSnapshots),
      restored: { created: false, metadata: contents.metadata, hardState: contents.hardState, snapshot, entries: contents.entries },
    };
  }

  /** Persists a Ready's hard state and entries: one write, one fdatasync. */
  save(hardState: HardState | undefined, entries: readonly Entry[]): Promise<void> {
    return this.wal.save(hardState, entries);
  }

  /** Writes the snapshot file, then its marker in the WAL (in this order, so a marker always has its file). */
  async saveSnapshot(snapshot: SnapshotFile, confState?: Uint8Array): Promise<void> {
    await this.snapshotter.save(snapshot);
    await this.wal.saveSnapshot({ index: snapshot.index, term: snapshot.term, confState });
  }

  /** Drops WAL segments wholly before `index` (a saved snapshot's) beyond the newest `maxFiles`, and all but the newest snapshot files. */
  async release(index: number): Promise<void> {
    await this.wal.releaseTo(index);
    if (this.maxSnapshots > 0) await this.snapshotter.purge(this.maxSnapshots);
  }

  close(): Promise<void> {
    return this.wal.close();
  }
}
