// Store hashes for corruption checks (etcd: hash.go and backend Hash), both CRC-32C. hashkv
// depends only on the applied state; hash, like etcd's, also sees records a running physical
// compaction has not removed yet.

import type { Backend } from './backend';
import { Crc32c } from './crc32c';
import { decodeKeyValue } from './kv-codec';
import type { SubDatabaseName } from './kv';
import { bytesToMainRev, bytesToRev } from './revision';
import { HASH_IGNORED_META_KEYS, KEY_DB, META_DB, SUB_DATABASES } from './schema';
import type { TreeIndex } from './tree-index';
import { keyToIndexKey } from './tree-index';

/**
 * hashkv: the bucket name `key`, then revision key and value of every record with main revision
 * <= rev, where records at or below the compact revision count only if the compaction keeps them.
 */
export function hashKeyValues(backend: Backend, index: TreeIndex, rev: number, compactRevision: number): number {
  const h = new Crc32c().update(Buffer.from(KEY_DB));
  for (const { key, value } of backend.entries(KEY_DB)) {
    const main = bytesToMainRev(key);
    if (main > rev) break;
    if (main <= compactRevision && !index.hasRevision(keyToIndexKey(decodeKeyValue(value).key), bytesToRev(key))) continue;
    h.update(key).update(value);
  }
  return h.value;
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
  return h.value;
}
