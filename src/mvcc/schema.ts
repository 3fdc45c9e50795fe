// Every LMDB sub-database and meta key, in one place (etcd: server/storage/schema/bucket.go).
// The environment lives at <data-dir>/member/db. Sub-database names are etcd's bucket names so a
// bbolt image of the store can be written by copying records as they are.

import type { SubDatabaseName } from './kv';

/** Every sub-database, in byte order of its name (the order bbolt iterates buckets in). */
export const SUB_DATABASES: readonly SubDatabaseName[] = [
  'alarm',
  'auth',
  'authRoles',
  'authUsers',
  'cluster',
  'key',
  'lease',
  'members',
  'members_removed',
  'meta',
];

/** Revision bytes (revision.ts) -> protobuf mvccpb.KeyValue (kv-codec.ts). */
export const KEY_DB: SubDatabaseName = 'key';
/** Store-wide records keyed by the names below. */
export const META_DB: SubDatabaseName = 'meta';

/** Meta keys. Values: uint64 big-endian for consistent_index and term; revision bytes (17) for the compaction marks. */
export const MetaKey = {
  /** the raft index of the last applied entry, written in the same transaction as its effects */
  consistentIndex: Buffer.from('consistent_index'),
  /** the raft term of that entry */
  term: Buffer.from('term'),
  /** written before a compaction's physical removal starts */
  scheduledCompactRev: Buffer.from('scheduledCompactRev'),
  /** written in the transaction that removes the compaction's last records */
  finishedCompactRev: Buffer.from('finishedCompactRev'),
} as const;

/** Meta records that differ between members with the same applied state; hash() skips them. */
export const HASH_IGNORED_META_KEYS: readonly Buffer[] = [MetaKey.consistentIndex, MetaKey.term];

/** Directory of the LMDB environment under the data dir. */
export const DB_DIR = ['member', 'db'] as const;
