// Builds a cairn data dir from an etcd snapshot file (etcdctl snapshot restore): every bucket of the
// bbolt image goes into a new LMDB store as it is (keys with all their revisions, leases, auth,
// alarms, compaction marks), without the old membership and with the consistent index reset, so
// the first start of cairn bootstraps a fresh cluster from its --initial-cluster flags and serves
// the snapshot's data (restore every member from the same file, as with etcdctl). The store is built in a sibling temp dir and renamed into place at the end,
// so a refused or damaged snapshot never leaves a partial data dir.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Backend, MetaKey, type RecordWriter } from '../mvcc';
import { copyImageBuckets } from './copy-image';
import { checkSnapshotHash } from '../snapshot';

export interface RestoreOptions {
  /** Where the new data dir goes (etcdctl's default: "<name>.etcd"); it must not exist. */
  readonly dataDir?: string;
  /** This member's name (default "default"). */
  readonly name?: string;
  /** "name=peerURL,..." (default "<name>=http://localhost:2380"). */
  readonly initialCluster?: string;
  readonly initialClusterToken?: string;
  /** Comma-separated peer URLs of this member (default "http://localhost:2380"). */
  readonly initialAdvertisePeerUrls?: string;
  /** Accept a file without SHA-256 trailer (a db copied from a data dir) and skip the check. */
  readonly skipHashCheck?: boolean;
  /**
   * The member's --wal-dir, which must not exist, as etcdctl checks. Nothing is written there: the
   * member makes its WAL at its first start (started with the same --wal-dir).
   */
  readonly walDir?: string;
}

export interface RestoreResult {
  readonly dataDir: string;
  /** Records copied into the store, over every bucket. */
  readonly records: number;
  /** Revision records in the key bucket. */
  readonly revisions: number;
}

/** A restore refused: bad options, an existing data dir, or a missing file (messages as etcdctl's). */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

const DROPPED_BUCKETS = new Set(['members', 'members_removed']);
const DROPPED_META = [MetaKey.consistentIndex, MetaKey.term];

/** Checks that this member's name and peer URLs agree with --initial-cluster, as etcd does. */
export function checkRestoreMembership(options: RestoreOptions): void {
  const name = options.name ?? 'default';
  const peers = (options.initialAdvertisePeerUrls ?? 'http://localhost:2380').split(',').filter((u) => u !== '');
  const cluster = options.initialCluster ?? peers.map((u) => `${name}=${u}`).join(',');
  const entries = cluster.split(',').map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new RestoreError(`restore: bad --initial-cluster entry ${JSON.stringify(item)} (want name=url)`);
    return { name: item.slice(0, eq), url: item.slice(eq + 1) };
  });
  const mine = entries.filter((e) => e.name === name).map((e) => e.url).sort();
  if (mine.length === 0) throw new RestoreError(`couldn't find local name ${JSON.stringify(name)} in the initial cluster configuration`);
  if (mine.join(',') !== [...peers].sort().join(',')) {
    throw new RestoreError(`restore: --initial-cluster has ${name}=${mine.join(',')} but --initial-advertise-peer-urls is ${peers.join(',')}`);
  }
}

export async function restoreDataDir(snapshotFile: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  checkRestoreMembership(options);
  const dataDir = options.dataDir ?? `${options.name ?? 'default'}.etcd`;
  if (existsSync(dataDir)) throw new RestoreError(`data-dir ${JSON.stringify(dataDir)} exists`);
  if (options.walDir && existsSync(options.walDir)) throw new RestoreError(`wal-dir ${JSON.stringify(options.walDir)} exists`);
  if (!existsSync(snapshotFile)) throw new RestoreError(`open ${snapshotFile}: no such file or directory`);
  await checkSnapshotHash(snapshotFile, { skipHashCheck: options.skipHashCheck });

  mkdirSync(dirname(dataDir) || '.', { recursive: true });
  const building = join(dirname(dataDir), `.${basename(dataDir)}.restoring-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  let backend: Backend | undefined;
  try {
    backend = Backend.open(building, { syncCommits: true });
    const counts = await copyBuckets(snapshotFile, backend);
    await backend.close();
    backend = undefined;
    renameSync(building, dataDir);
    return { dataDir, ...counts };
  } catch (err) {
    await backend?.close().catch(() => undefined);
    rmSync(building, { recursive: true, force: true });
    throw err;
  }
}

/** Every bucket but the old membership, and the meta bucket without the consistent index and term. */
async function copyBuckets(snapshotFile: string, backend: Backend): Promise<{ records: number; revisions: number }> {
  const write: RecordWriter = (name, records) =>
    backend.writeSync((w) => {
      for (const [k, v] of records) w.put(name, k, v);
    });
  return copyImageBuckets(snapshotFile, write, (bucket, key) => !DROPPED_BUCKETS.has(bucket) && !(bucket === 'meta' && DROPPED_META.some((m) => m.equals(key))));
}
export { copyImageBuckets } from './copy-image';
