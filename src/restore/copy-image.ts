// Copying the buckets of an etcd-format image (a bbolt file in etcd's layout) into a store: used by
// snapshot restore and by a follower that takes the image its leader sent with a raft snapshot.
import { SUB_DATABASES, type RecordWriter, type SubDatabaseName } from '../mvcc';
import { openSnapshot } from '../snapshot';

const BATCH = 4096;

function isStoreBucket(name: string): name is SubDatabaseName {
  return (SUB_DATABASES as readonly string[]).includes(name);
}

/**
 * Writes every record of the image's store buckets that `keep` accepts, in batches, and counts
 * them. Buckets the store does not have are read (and so checked) all the same, and skipped.
 */
export async function copyImageBuckets(
  imageFile: string,
  write: RecordWriter,
  keep: (bucket: string, key: Buffer) => boolean = () => true,
): Promise<{ records: number; revisions: number }> {
  const reader = await openSnapshot(imageFile);
  let records = 0;
  let revisions = 0;
  try {
    for await (const bucket of reader.buckets()) {
      const name = bucket.name;
      const wanted = isStoreBucket(name);
      let batch: [Buffer, Buffer][] = [];
      for await (const [key, value] of bucket.entries) {
        if (!wanted || !keep(name, key)) continue;
        batch.push([key, value]);
        records++;
        if (name === 'key') revisions++;
        if (batch.length >= BATCH) {
          write(name as SubDatabaseName, batch);
          batch = [];
        }
      }
      if (wanted && batch.length > 0) write(name as SubDatabaseName, batch);
    }
  } finally {
    await reader.close();
  }
  return { records, revisions };
}
