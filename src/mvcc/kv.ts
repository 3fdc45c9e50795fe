// The store's vocabulary: values, requests and responses, and the interfaces the server
// programs against. Numeric enums carry the same numbers as etcd's protobuf enums
// (etcdserverpb.RangeRequest.SortOrder, Compare.CompareResult, mvccpb.Event.EventType, ...)
// so the server can pass wire values through unchanged.
//
// Ranges are half-open [key, rangeEnd): an absent or empty rangeEnd selects the single key
// `key`; a rangeEnd of one zero byte (`\0`) selects every key >= key; any other rangeEnd
// selects key <= k < rangeEnd (nothing when key >= rangeEnd).

/** One revision of one key, as mvccpb.KeyValue. */
export interface KeyValue {
  key: Buffer;
  /** main revision of the put that created the key (0 for a deleted key in a DELETE event) */
  createRevision: number;
  /** main revision of the last change */
  modRevision: number;
  /** number of puts since the key was created (1 after the creating put) */
  version: number;
  value: Buffer;
  /** lease ID, 0n when none */
  lease: bigint;
}

export const SortOrder = { NONE: 0, ASCEND: 1, DESCEND: 2 } as const;
export type SortOrder = (typeof SortOrder)[keyof typeof SortOrder];
export const SortTarget = { KEY: 0, VERSION: 1, CREATE: 2, MOD: 3, VALUE: 4 } as const;
export type SortTarget = (typeof SortTarget)[keyof typeof SortTarget];

export interface RangeRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  /** at most this many kvs; 0 or absent = no limit */
  limit?: number;
  /** read the store as of this revision; 0 or absent = current */
  revision?: number;
  sortOrder?: SortOrder;
  sortTarget?: SortTarget;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResponse {
  /** the header revision: the store's revision the read was served at (see etcd) */
  revision: number;
  kvs: KeyValue[];
  /** true when limit cut the result */
  more: boolean;
  /** number of keys in the range at the read revision (before limit and the min/max filters) */
  count: number;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
  /** 0n or absent = no lease */
  lease?: bigint;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface PutResponse {
  revision: number;
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  revision: number;
  deleted: number;
  prevKvs: KeyValue[];
}

export const CompareResult = { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 } as const;
export type CompareResult = (typeof CompareResult)[keyof typeof CompareResult];
export const CompareTarget = { VERSION: 0, CREATE: 1, MOD: 2, VALUE: 3, LEASE: 4 } as const;
export type CompareTarget = (typeof CompareTarget)[keyof typeof CompareTarget];

/**
 * One txn guard. The field named by `target` is compared; an absent field compares as 0 / empty.
 * With rangeEnd every key in the range must satisfy it; an empty range compares a zero KeyValue,
 * except that a VALUE compare on no key is always false (etcd).
 */
export interface Compare {
  result: CompareResult;
  target: CompareTarget;
  key: Buffer;
  rangeEnd?: Buffer;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  value?: Buffer;
  lease?: bigint;
}

/** Exactly one field set, as the protobuf oneof; an op with none set does nothing. */
export interface RequestOp {
  range?: RangeRequest;
  put?: PutRequest;
  deleteRange?: DeleteRangeRequest;
  txn?: TxnRequest;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface ResponseOp {
  range?: RangeResponse;
  put?: PutResponse;
  deleteRange?: DeleteRangeResponse;
  txn?: TxnResponse;
}

export interface TxnResponse {
  revision: number;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactResponse {
  revision: number;
  /** resolves when the superseded revisions are physically removed from disk */
  physical: Promise<void>;
}

export const EventType = { PUT: 0, DELETE: 1 } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface Event {
  type: EventType;
  /** for DELETE: key and modRevision (the deleting revision) only, as etcd sends it */
  kv: KeyValue;
  /** set when the watcher asked for prevKv and the previous revision is still available */
  prevKv?: KeyValue;
}

/** The lessor as the store sees it: put checks the lease exists and keeps attachments current. */
export interface LeaseHooks {
  exists(id: bigint): boolean;
  attach(id: bigint, key: Buffer): void;
  detach(id: bigint, key: Buffer): void;
  /** The lease the key is attached to, 0n for none: a put or delete asks it instead of reading the key's record. */
  leaseOf(key: Buffer): bigint;
}

/** Reads served from committed state. */
export interface ReadView {
  readonly revision: number;
  readonly compactRevision: number;
  range(req: RangeRequest): RangeResponse;
}

/** Writes inside one apply batch; each put/deleteRange/txn/compact is one apply of one request. */
export interface BatchWriter extends ReadView {
  /** @throws MvccError key-not-found (ignoreValue/ignoreLease on a missing key), lease-not-found */
  put(req: PutRequest): PutResponse;
  deleteRange(req: DeleteRangeRequest): DeleteRangeResponse;
  /** @throws MvccError key-not-found, lease-not-found, compacted, future-rev (checked before any write) */
  txn(req: TxnRequest): TxnResponse;
  /** @throws MvccError compacted (rev <= compact revision), future-rev (rev > current revision) */
  compact(rev: number): CompactResponse;
  /** records of the other sub-databases (lease, members, alarm, auth, ...) in the same transaction */
  readonly backend: BackendWriter;
}

/** Raw access to a sub-database inside a write transaction. */
export interface BackendWriter {
  get(db: SubDatabaseName, key: Buffer): Buffer | undefined;
  put(db: SubDatabaseName, key: Buffer, value: Buffer): void;
  delete(db: SubDatabaseName, key: Buffer): boolean;
  entries(db: SubDatabaseName, opts?: { start?: Buffer; end?: Buffer }): Iterable<{ key: Buffer; value: Buffer }>;
}

/** A consistent read of every sub-database at one point in time (an LMDB read transaction). */
export interface BackendSnapshot {
  readonly consistentIndex: number;
  /** sub-database names in byte order, as bbolt lists its buckets */
  readonly databases: readonly SubDatabaseName[];
  get(db: SubDatabaseName, key: Buffer): Buffer | undefined;
  /** entries in key byte order */
  entries(db: SubDatabaseName, opts?: { start?: Buffer; end?: Buffer }): Iterable<{ key: Buffer; value: Buffer }>;
  /** releases the read transaction; must be called */
  close(): void;
}

export type SubDatabaseName =
  | 'alarm'
  | 'auth'
  | 'authRoles'
  | 'authUsers'
  | 'cluster'
  | 'key'
  | 'lease'
  | 'members'
  | 'members_removed'
  | 'meta';

export interface WatchFilters {
  noPut?: boolean;
  noDelete?: boolean;
}

export interface WatchRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  /** first revision to report; 0 or absent = changes after the current revision */
  startRevision?: number;
  prevKv?: boolean;
  filters?: WatchFilters;
  /** a chosen watch ID; absent = the stream assigns the next free one */
  watchId?: number;
}

/** What a watch stream yields, in order. */
export interface WatchResponse {
  /** -1 for a stream-wide progress notification (requestProgressAll) */
  watchId: number;
  events: Event[];
  /** the store revision this response brings the watcher up to */
  revision: number;
  /** set (> 0) when the watcher's start revision was compacted; the watcher is then gone */
  compactRevision: number;
}

/** One client's set of watchers sharing one bounded response queue (one gRPC Watch stream). */
export interface WatchStream extends AsyncIterable<WatchResponse> {
  /** @throws MvccError duplicate-watch-id, empty-watcher-range; returns the watch ID */
  watch(req: WatchRequest): number;
  /** false when no such watcher */
  cancel(watchId: number): boolean;
  /** queues {watchId, revision: current} if that watcher is synced; otherwise nothing (etcd) */
  requestProgress(watchId: number): void;
  /** queues one {watchId: -1, revision} and returns true only if every watcher is synced */
  requestProgressAll(): boolean;
  /** next response, or undefined once the stream is closed */
  next(): Promise<WatchResponse | undefined>;
  close(): void;
}

export interface HashKVResult {
  hash: number;
  compactRevision: number;
  /** the revision hashed up to (the current revision when 0 was asked) */
  hashRevision: number;
  /** the store's current revision (etcd puts it in the response header) */
  revision: number;
}
