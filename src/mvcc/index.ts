// The MVCC store: a revisioned key-value store on LMDB with etcd's semantics.
// Public face of src/mvcc; see README.md "The MVCC store".

export type {
  KeyValue,
  RangeRequest,
  RangeResponse,
  PutRequest,
  PutResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Compare,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  CompactResponse,
  Event,
  LeaseHooks,
  ReadView,
  BatchWriter,
  BackendWriter,
  BackendSnapshot,
  SubDatabaseName,
  WatchFilters,
  WatchRequest,
  WatchResponse,
  WatchStream,
  HashKVResult,
} from './kv';
export { SortOrder, SortTarget, CompareResult, CompareTarget, EventType } from './kv';
export type { Revision } from './revision';
export { revToBytes, bytesToRev, isTombstone } from './revision';
export { SUB_DATABASES, MetaKey } from './schema';
export { encodeKeyValue, decodeKeyValue } from './kv-codec';
export type { MvccErrorCode } from './errors';
export { MvccError, isMvccError } from './errors';
export type { BackendOptions } from './backend';
export type { RecordWriter } from './backend';
export { Backend, defaultBatchIntervalMs, defaultBatchLimit } from './backend';
export type { StoreOptions, MvccLogger } from './kvstore';
export type { CompactionObserver } from './kvstore-compaction';
export type { WatchOptions, WatchableStoreOptions } from './watchable-store';
export { WatchableStore, openStore } from './watchable-store';
export type { WatchStreamOptions, WatchEventCounts } from './watcher';
export { checkTxnDuplicateKeys } from './txn-check';
