// The revisioned store: the in-memory index over the `key` sub-database, the current and
// compact revisions, restore on open, apply batches and compaction (etcd: kvstore.go).
//
// Apply batches: the server applies committed requests in one synchronous LMDB write
// transaction and records the consistent index in it. Each put/deleteRange/txn through the
// batch is one write request: the store revision grows by one if it changed anything.
// Per-request errors (MvccError) are thrown before the request changes anything, so the server
// catches them per request and the batch goes on. Any other throw aborts the LMDB transaction
// and the store reloads its index from disk, so memory matches what is committed.

import type { Backend, RecordWriter } from './backend';
import { encodeUint64 } from './backend';
import { applyDeleteRange, applyPut, applyRange } from './apply';
import type { TxnReader } from './apply';
import { applyTxn } from './apply-txn';
import { MvccError } from './errors';
import { hashBackend, hashKeyValues } from './hash';
import type {
  BackendSnapshot,
  BackendWriter,
  BatchWriter,
  CompactResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResult,
  LeaseHooks,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
} from './kv';
import { Compactor, millisecondsSince } from './kvstore-compaction';
import type { CompactionObserver, CompactorOptions } from './kvstore-compaction';
import type { Change, RangeKeysOptions, RangeKeysResult, StoreCore } from './kvstore-txn';
import { TxnWrite, rangeKeys } from './kvstore-txn';
import { restoreIndex } from './kvstore-restore';
import { bytesToRev, revToBytes } from './revision';
import { KEY_DB, META_DB, MetaKey } from './schema';
import { TreeIndex, indexKeyToKey } from './tree-index';
import type { IndexRange } from './tree-index';

/** Minimal logger (pino's shape). */
export interface MvccLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface StoreOptions {
  /** the lessor; attachments of restored keys are replayed into it on open */
  lease?: LeaseHooks;
  logger?: MvccLogger;
  compaction?: CompactorOptions;
}

/** The changes of one revision, handed to watchers after the batch commits. */
export interface CommittedRevision {
  rev: number;
  changes: Change[];
}

interface PendingCompaction {
  rev: number;
  settle: (job: Promise<void>) => void;
}

export class KVStore implements StoreCore {
  readonly backend: Backend;
  readonly lease: LeaseHooks | undefined;
  protected readonly logger: MvccLogger | undefined;
  private treeIndex = new TreeIndex();
  /** an empty store is at revision 1, so the first write is revision 2 (etcd) */
  private currentRev = 1;
  /** -1 until the first compaction (etcd reports it so in hashkv) */
  private compactRev = -1;
  private closedFlag = false;
  /** bytes of the keys and values put since the start, as etcd counts its puts' size */
  private putSize = 0;
  private readonly compactor: Compactor;
  private readonly compactionObserver: CompactionObserver | undefined;
  private readonly reader: TxnReader = {
    range: (range: IndexRange, opts: RangeKeysOptions = {}): RangeKeysResult =>
      rangeKeys(this, range, this.currentRev, opts),
  };

  constructor(backend: Backend, opts: StoreOptions = {}) {
    this.backend = backend;
    this.lease = opts.lease;
    this.logger = opts.logger;
    this.compactor = new Compactor(this, opts.compaction);
    this.compactionObserver = opts.compaction?.observer;
    this.load();
  }

  /** Rebuilds memory from the backend and resumes a compaction that did not finish. */
  private load(): void {
    const scheduled = this.reload();
    if (scheduled >= 0) {
      this.logger?.info({ 'scheduled-compact-revision': scheduled }, 'resume scheduled compaction');
      void this.startPhysicalCompaction(scheduled);
    }
  }

  /**
   * Replaces the whole store with what `fill` writes (a leader's image, with a raft snapshot) and
   * rebuilds memory from it. `loaded` sees the new contents before the index is rebuilt (the lessor
   * reloads there, so that keys attach to its leases). No write may be applied meanwhile.
   */
  async replaceContents(fill: (write: RecordWriter) => Promise<void>, loaded: (contents: BackendSnapshot) => void): Promise<void> {
    this.assertOpen();
    await this.compactor.idle();
    await this.backend.replaceContents(fill);
    const contents = this.backend.snapshot();
    try {
      loaded(contents);
    } finally {
      contents.close();
    }
    this.load();
    this.contentsReplaced();
  }

  /** Called once the store's contents were replaced (the watchable store resyncs its watchers). */
  protected contentsReplaced(): void {}

  /**
   * Rebuilds memory from what is committed, including the logical part of a compaction whose
   * removal has not finished. Returns that compaction's revision, or -1.
   */
  private reload(): number {
    const scheduled = this.restore();
    if (scheduled >= 0) {
      this.treeIndex.compact(scheduled);
      this.compactRev = scheduled;
    }
    return scheduled;
  }

  get index(): TreeIndex {
    return this.treeIndex;
  }

  get currentRevision(): number {
    return this.currentRev;
  }

  get compactRevision(): number {
    return this.compactRev;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The consistent (applied) index as last committed. */
  get consistentIndex(): number {
    return this.backend.consistentIndex();
  }

  /** Rebuilds the index from disk; returns a scheduled compaction that did not finish (or -1). */
  private restore(): number {
    const finished = this.readMetaRev(MetaKey.finishedCompactRev);
    const scheduled = this.readMetaRev(MetaKey.scheduledCompactRev);
    const { index, lastRev, leases } = restoreIndex(this.backend, this.lease !== undefined);
    this.treeIndex = index;
    this.compactRev = finished;
    // records up to the compact revision may all be gone (e.g. the last write was a delete)
    this.currentRev = Math.max(lastRev, finished);
    for (const [ikey, id] of leases) this.lease?.attach(id, indexKeyToKey(ikey));
    return scheduled > finished ? scheduled : -1;
  }

  /** A compaction mark, or -1 when there is none. */
  private readMetaRev(key: Buffer): number {
    const bytes = this.backend.get(META_DB, key);
    return bytes === undefined ? -1 : bytesToRev(bytes).main;
  }

  /** A read of committed state. @throws MvccError compacted, future-rev */
  range(req: RangeRequest): RangeResponse {
    this.assertOpen();
    return applyRange(this.reader, req);
  }

  /**
   * Runs fn in one write transaction that also records consistentIndex (and term), commits it,
   * then hands the new revisions to watchers. Returns what fn returns.
   */
  applyBatch<T>(consistentIndex: number, fn: (w: BatchWriter) => T, opts: { term?: number } = {}): T {
    this.assertOpen();
    const committed: CommittedRevision[] = [];
    const compactions: PendingCompaction[] = [];
    let result: T;
    try {
      result = this.backend.writeSync((bw) => {
        const batch = new Batch(this, bw, committed, compactions);
        const out = fn(batch);
        batch.end();
        bw.put(META_DB, MetaKey.consistentIndex, encodeUint64(consistentIndex));
        if (opts.term !== undefined) bw.put(META_DB, MetaKey.term, encodeUint64(opts.term));
        return out;
      });
    } catch (err) {
      this.logger?.warn({ error: String(err) }, 'apply batch aborted; reloading the index from disk');
      this.reload(); // an unfinished compaction's removal is still queued; only its index part is redone
      throw err;
    }
    this.notify(committed);
    for (const c of compactions) c.settle(this.startPhysicalCompaction(c.rev));
    return result;
  }

  /** Bytes of the keys and values put since the start (etcd_debugging_mvcc_total_put_size_in_bytes). */
  get totalPutSize(): number {
    return this.putSize;
  }

  /** Called with each batch's revisions after it commits (the watchable store listens here). */
  protected notify(_revisions: CommittedRevision[]): void {}

  /** @internal used by Batch */
  commitWrite(t: TxnWrite, committed: CommittedRevision[]): void {
    if (t.changes.length === 0) return;
    for (const c of t.changes) if (!c.deleted) this.putSize += c.kv.key.length + c.kv.value.length;
    this.currentRev = t.beginRev + 1;
    committed.push({ rev: this.currentRev, changes: t.changes });
  }

  /** @internal used by Batch: the logical part of a compaction, inside the apply transaction. */
  compactInBatch(rev: number, bw: BackendWriter): void {
    if (rev <= this.compactRev) throw new MvccError('compacted', { compactRevision: this.compactRev });
    if (rev > this.currentRev) throw new MvccError('future-rev');
    bw.put(META_DB, MetaKey.scheduledCompactRev, revToBytes({ main: rev, sub: 0 }));
    this.compactRev = rev;
    const started = performance.now();
    this.treeIndex.compact(rev);
    this.compactionObserver?.indexCompacted(millisecondsSince(started));
  }

  private startPhysicalCompaction(rev: number): Promise<void> {
    const job = this.compactor.schedule(rev);
    job.then(
      () => this.logger?.info({ 'compact-revision': rev }, 'finished scheduled compaction'),
      () => undefined,
    );
    return job;
  }

  /** hashkv at rev (0 = current). @throws MvccError compacted, future-rev */
  hashKV(rev = 0): HashKVResult {
    this.assertOpen();
    if (rev > 0 && rev < this.compactRev) throw new MvccError('compacted', { compactRevision: this.compactRev });
    if (rev > this.currentRev) throw new MvccError('future-rev');
    const hashRevision = rev === 0 ? this.currentRev : rev;
    return {
      hash: hashKeyValues(this.backend, this.treeIndex, hashRevision, this.compactRev),
      compactRevision: this.compactRev,
      hashRevision,
      revision: this.currentRev,
    };
  }

  /** CRC-32C over every sub-database (etcd's Maintenance.Hash), and the current revision. */
  hash(): { hash: number; revision: number } {
    this.assertOpen();
    return { hash: hashBackend(this.backend), revision: this.currentRev };
  }

  /** A consistent view of every sub-database; close() it when done. */
  snapshot(): BackendSnapshot {
    this.assertOpen();
    return this.backend.snapshot();
  }

  /** Rewrites the database file compactly (etcd's defragment); refused while a snapshot is open. */
  async defragment(): Promise<void> {
    this.assertOpen();
    await this.backend.defragment();
  }

  /** Flushes committed transactions to disk. */
  sync(): Promise<void> {
    return this.backend.sync();
  }

  /** Resolves when every physical compaction scheduled so far has ended. */
  compactionsIdle(): Promise<void> {
    return this.compactor.idle();
  }

  protected assertOpen(): void {
    if (this.closedFlag) throw new MvccError('closed');
  }

  /** Stops compaction (an unfinished one resumes on the next open) and closes the backend. */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    await this.compactor.idle();
    await this.backend.close();
  }
}

/** The BatchWriter handed to applyBatch's callback. */
class Batch implements BatchWriter {
  readonly backend: BackendWriter;
  private readonly store: KVStore;
  private readonly committed: CommittedRevision[];
  private readonly compactions: PendingCompaction[];
  private ended = false;
  /** set when a request failed half-way; the batch must then abort */
  private fatal: Error | undefined;
  private readonly reader: TxnReader;

  constructor(store: KVStore, bw: BackendWriter, committed: CommittedRevision[], compactions: PendingCompaction[]) {
    this.store = store;
    this.backend = bw;
    this.committed = committed;
    this.compactions = compactions;
    this.reader = { range: (range, opts = {}) => rangeKeys(store, range, store.currentRevision, opts) };
  }

  get revision(): number {
    return this.store.currentRevision;
  }

  get compactRevision(): number {
    return this.store.compactRevision;
  }

  range(req: RangeRequest): RangeResponse {
    this.assertLive();
    return applyRange(this.reader, req);
  }

  put(req: PutRequest): PutResponse {
    return this.write((t) => applyPut(t, req, this.store.lease));
  }

  deleteRange(req: DeleteRangeRequest): DeleteRangeResponse {
    return this.write((t) => applyDeleteRange(t, req));
  }

  txn(req: TxnRequest): TxnResponse {
    return this.write((t) => applyTxn(t, req, { lease: this.store.lease, compactRevision: this.store.compactRevision }));
  }

  compact(rev: number): CompactResponse {
    this.assertLive();
    this.store.compactInBatch(rev, this.backend);
    let settle!: (job: Promise<void>) => void;
    const physical = new Promise<void>((resolve, reject) => {
      settle = (job) => job.then(resolve, reject);
    });
    physical.catch(() => undefined); // a caller that never waits must not see an unhandled rejection
    this.compactions.push({ rev, settle });
    return { revision: this.store.currentRevision, physical };
  }

  /** Ends the batch; throws (aborting the transaction) if a request failed half-way. */
  end(): void {
    this.ended = true;
    if (this.fatal !== undefined) throw this.fatal;
  }

  private assertLive(): void {
    if (this.ended) throw new Error('mvcc: batch writer used after its batch ended');
  }

  private write<R>(fn: (t: TxnWrite) => R): R {
    this.assertLive();
    const t = new TxnWrite(this.store);
    let out: R;
    try {
      out = fn(t);
    } catch (err) {
      if (t.changes.length === 0) throw err;
      // half a request applied: the whole batch must abort, whatever the caller does with this
      this.ended = true;
      this.fatal = new Error(`mvcc: request failed after changing the store: ${String(err)}`);
      throw this.fatal;
    }
    this.store.commitWrite(t, this.committed);
    return out;
  }
}
