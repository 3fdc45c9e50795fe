// What `etcdctl snapshot status` reports, computed the way etcdctl 3.4 does it: a CRC-32C
// (Castagnoli) over every bucket name, key and value in cursor order; the main revision of the
// last key of the `key` bucket; the number of keys in all buckets; and the bbolt size (high water
// mark x page size, without the sha256 trailer). The file is fully checked on the way.
import { Crc32c } from '../checksum';
import { ETCD_BUCKET } from './etcd-schema';
import { openSnapshot } from './reader';
import { mainRevisionOf } from './revision-key';

export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

export async function snapshotStatus(path: string): Promise<SnapshotStatus> {
  const reader = await openSnapshot(path);
  try {
    const crc = new Crc32c();
    let revision = 0;
    let totalKey = 0;
    for await (const bucket of reader.buckets()) {
      crc.update(bucket.nameBytes);
      const isKeyBucket = bucket.name === ETCD_BUCKET.key;
      for await (const [key, value] of bucket.entries) {
        crc.update(key).update(value);
        if (isKeyBucket) revision = mainRevisionOf(key);
        totalKey++;
      }
    }
    return { hash: crc.digest(), revision, totalKey, totalSize: reader.info.dbSize };
  } finally {
    await reader.close();
  }
}
