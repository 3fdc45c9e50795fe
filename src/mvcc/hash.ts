// Store hashes for corruption checks (etcd: HashByRev in kvstore.go and backend Hash), both
// CRC-32C. hashkv depends only on the applied state and equals etcd 3.4's for the same history;
// hash, like etcd's, also sees records a running physical compaction has not removed yet.

import type { Backend } from './backend';
import { Crc32c } from '../checksum';
import { decodeKeyValue } from './kv-codec';
import type { SubDatabaseName } from './kv';
import { bytesToMainRev, bytesToRev } from './revision';
import { HASH_IGNORED_META_KEYS, KEY_DB, META_DB, SUB_DATABASES } from './schema';
import type { TreeIndex } from './tree-index';
import { keyToIndexKey } from './tree-index';

/**
 * hashkv, as etcd 3.4 computes it: the bucket name `key`, then revision key and value of every
 * record with main revision <= rev, except that a record at or below the compact revision counts
 * only if it is what a compaction at rev would keep for its key (etcd's quirk: unless such a
 * compaction would keep nothing at all). Records a running physical compaction has not removed
 * yet are never what it keeps, so the result does not depend on its progress.
 */
export function hashKeyValues(backend: Backend, index: TreeIndex, rev: number, compactRevision: number): number {
  const h = new Crc32c().update(Buffer.from(KEY_DB));
  const filterOld = compactRevision >= 0 && index.anyKept(rev);
  for (const { key, value } of backend.entries(KEY_DB)) {
    const main = bytesToMainRev(key);
    if (main > rev) break;
    if (filterOld && main <= compactRevision) {
      const kept = index.keptAt(keyToIndexKey(decodeKeyValue(value).key), rev);
      const r = bytesToRev(key);
      if (kept === undefined || kept.main !== r.main || kept.sub !== r.sub) continue;
    }
    h.update(key).update(value);
  }
  return h.digest();
}

/** hash: every sub-database in name order (name, then each key and value), skipping member-local meta keys. */
export function hashBackend(backend: Backend): number {
  const h = new Crc32c();
  const snap = backend.snapshot();
  try {
    for (const name of SUB_DATABASES as readonly SubDatabaseName[]) {
      h.update(Buffer.from(name));
      for (const { key, value } of snap.entries(name)) {
        if (name === META_DB && HASH_IGNORED_META_KEYS.some((k) => k.equals(key))) continue;
        h.update(key).update(value);
      }
    }
  } finally {
    snap.close();
  }
  return h.digest();
}
