// Rebuilding the in-memory index from the `key` sub-database when a store opens (etcd: kvstore.go
// restore). A million records should load in about a second, so:
// - the scan decodes each record in place from LMDB's buffer (no Buffer per record) and keeps
//   only what the index needs, column by column (no object per record survives the scan);
// - records are then ordered by key (stable, so each key's records stay in revision order; keys
//   written in order, as a bulk load writes them, need no sort at all), which replaces a lookup
//   per record with a walk over runs of the same key and yields the keys sorted for a bulk load.

import type { Backend, RecordDecoder } from './backend';
import { decodeRecordMeta } from './kv-codec';
import type { RecordMeta } from './kv-codec';
import { KeyIndex } from './key-index';
import { readRecordKey } from './revision';
import type { RecordKey } from './revision';
import { KEY_DB } from './schema';
import { TreeIndex } from './tree-index';

export interface RestoredIndex {
  index: TreeIndex;
  /** the main revision of the newest record (1 when there are none) */
  lastRev: number;
  /** keys alive at the end whose newest record has a lease: index key -> lease id */
  leases: Map<string, bigint>;
}

const RECORD_DECODER: RecordDecoder<RecordKey, RecordMeta> = {
  key: readRecordKey,
  value: decodeRecordMeta,
};

/** The scanned records, one entry per record in revision order. */
interface Records {
  key: string[];
  main: number[];
  sub: number[];
  tombstone: boolean[];
  createRevision: number[];
  version: number[];
  /** record number -> lease, for records with one */
  lease: Map<number, bigint>;
}

function scan(backend: Backend): Records {
  const r: Records = { key: [], main: [], sub: [], tombstone: [], createRevision: [], version: [], lease: new Map() };
  for (const { key: rev, value: meta } of backend.decodedEntries(KEY_DB, RECORD_DECODER)) {
    if (meta.lease !== 0n) r.lease.set(r.key.length, meta.lease);
    r.key.push(meta.key);
    r.main.push(rev.main);
    r.sub.push(rev.sub);
    r.tombstone.push(rev.tombstone);
    r.createRevision.push(meta.createRevision);
    r.version.push(meta.version);
  }
  return r;
}

/** Record numbers ordered by key, each key's records in revision order. */
function orderByKey(keys: string[]): number[] {
  const order = Array.from({ length: keys.length }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] <= keys[i];
  if (sorted) return order;
  return order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
}

/** Reads every record of the key sub-database into a new index. */
export function restoreIndex(backend: Backend, withLeases: boolean): RestoredIndex {
  const r = scan(backend);
  const order = orderByKey(r.key);
  const keys: string[] = [];
  const histories: KeyIndex[] = [];
  const leases = new Map<string, bigint>();
  for (let p = 0; p < order.length; ) {
    const key = r.key[order[p]];
    let ki: KeyIndex | undefined;
    let last = -1;
    for (; p < order.length && r.key[order[p]] === key; p++) {
      const i = order[p];
      last = i;
      const rev = { main: r.main[i], sub: r.sub[i] };
      if (ki !== undefined) {
        if (r.tombstone[i]) ki.tombstone(rev);
        else ki.put(rev);
      } else if (!r.tombstone[i]) {
        // the key's older records may be compacted away: start from this one
        ki = KeyIndex.restored({ main: r.createRevision[i], sub: 0 }, rev, r.version[i]);
      }
    }
    if (ki === undefined) continue;
    keys.push(key);
    histories.push(ki);
    const lease = r.lease.get(last);
    if (withLeases && lease !== undefined && !r.tombstone[last]) leases.set(key, lease);
  }
  const lastRev = r.main.length > 0 ? r.main[r.main.length - 1] : 1;
  return { index: TreeIndex.fromSorted(keys, histories), lastRev, leases };
}
