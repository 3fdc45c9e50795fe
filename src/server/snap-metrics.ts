// etcd's snap metrics: saving a raft snapshot file (etcd_debugging_snap_save_*, etcd_snap_fsync_*)
// and a store image received from the leader (etcd_snap_db_*), with etcd 3.4's names and buckets.
import { Histogram, Registry, exponentialBuckets } from 'prom-client';
import type { SnapshotSaveObserver } from '../wal';

/** How long saving a leader's store image took, in seconds. */
export interface ImageSaveObserver {
  /** syncing the written file */
  synced(seconds: number): void;
  /** the whole save, once the image is durable under its name */
  saved(seconds: number): void;
}

export class SnapMetrics {
  readonly snapshotSaves: SnapshotSaveObserver;
  readonly imageSaves: ImageSaveObserver;

  constructor(registers: Registry[]) {
    // 1 ms doubling to 8.192 s, as etcd; a whole image from 100 ms to 51.2 s.
    const ms = exponentialBuckets(0.001, 2, 14);
    const marshalling = new Histogram({ name: 'etcd_debugging_snap_save_marshalling_duration_seconds', help: 'The marshalling cost distributions of save called by snapshot.', buckets: ms, registers });
    const total = new Histogram({ name: 'etcd_debugging_snap_save_total_duration_seconds', help: 'The total latency distributions of save called by snapshot.', buckets: ms, registers });
    const fsync = new Histogram({ name: 'etcd_snap_fsync_duration_seconds', help: 'The latency distributions of fsync called by snap.', buckets: ms, registers });
    const dbTotal = new Histogram({ name: 'etcd_snap_db_save_total_duration_seconds', help: 'The total latency distributions of v3 snapshot save', buckets: exponentialBuckets(0.1, 2, 10), registers });
    const dbFsync = new Histogram({ name: 'etcd_snap_db_fsync_duration_seconds', help: 'The latency distributions of fsyncing .snap.db file', buckets: ms, registers });
    this.snapshotSaves = {
      encoded: (seconds) => marshalling.observe(seconds),
      synced: (seconds) => fsync.observe(seconds),
      saved: (seconds) => total.observe(seconds),
    };
    this.imageSaves = {
      synced: (seconds) => dbFsync.observe(seconds),
      saved: (seconds) => dbTotal.observe(seconds),
    };
  }
}
