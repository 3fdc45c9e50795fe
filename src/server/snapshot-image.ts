// The database image that Maintenance.Snapshot sends: a bbolt file in etcd's bucket layout, written
// by src/snapshot from one consistent read of every sub-database (their names are etcd's bucket
// names and their records etcd's encodings), so `etcdctl snapshot status` and `snapshot restore`
// read it as they read etcd's.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendSnapshot } from '../mvcc';
import { writeSnapshot } from '../snapshot';

export interface SnapshotImage {
  path: string;
  size: number;
  release(): Promise<void>;
}

/** Writes the image of `snapshot` to a temporary file under tmpDir; closes the snapshot. */
export async function writeSnapshotImage(snapshot: BackendSnapshot, tmpDir: string): Promise<SnapshotImage> {
  const path = join(tmpDir, `snapshot-${randomBytes(6).toString('hex')}.db`);
  try {
    const buckets = snapshot.databases.map((name) => ({
      name,
      entries: (function* (): Generator<[Buffer, Buffer]> {
        for (const { key, value } of snapshot.entries(name)) yield [key, value];
      })(),
    }));
    const result = await writeSnapshot(buckets, path);
    return { path, size: result.size, release: () => rm(path, { force: true }) };
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  } finally {
    snapshot.close();
  }
}
