// The database image that Maintenance.Snapshot sends: a bbolt file in etcd's bucket layout, written
// by src/snapshot from one consistent read of every sub-database, so `etcdctl snapshot status`
// and etcd's own restore can read it.
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

export async function writeSnapshotImage(snapshot: BackendSnapshot, tmpDir: string): Promise<SnapshotImage> {
  const path = join(tmpDir, `snapshot-${randomBytes(6).toString('hex')}.db.part`);
  try {
    const buckets = snapshot.databases.map((name) => ({
      name,
      entries: (function* () {
        for (const { key, value } of snapshot.entries(name)) yield [key, value] as [Buffer, Buffer];
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
