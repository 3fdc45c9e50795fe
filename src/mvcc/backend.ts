// The LMDB environment at <data-dir>/member/db with one named sub-database per etcd bucket
// (schema.ts). Writes happen only inside writeSync (one synchronous LMDB write transaction, so
// apply is deterministic and a batch is atomic); reads outside it see the last committed
// transaction. Durability comes from the WAL, so the environment is opened with noSync and
// sync() flushes it on demand (before the server releases WAL segments).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { open } from 'lmdb';
import type { Database, RootDatabase, Transaction } from 'lmdb';
import type { BackendSnapshot, BackendWriter, SubDatabaseName } from './kv';
import { DB_DIR, META_DB, MetaKey, SUB_DATABASES } from './schema';

export interface BackendOptions {
  /** flush every commit to disk (default false: the WAL is the durable record) */
  syncCommits?: boolean;
  /** --backend-batch-interval: longest time applied writes wait for their commit (default 100 ms) */
  batchIntervalMs?: number;
  /** --backend-batch-limit: most writes a batch holds before it commits (default 10000) */
  batchLimit?: number;
  /** Called with the duration of every batch commit (etcd_disk_backend_commit_duration_seconds). */
  onCommit?: (seconds: number) => void;
}

type RangeOpts = { start?: Buffer; end?: Buffer };

/**
 * How a scan turns each record into values straight from LMDB's buffers. The bytes are only
 * valid during the call (the next record overwrites them), so neither function may keep them.
 */
export interface RecordDecoder<K, V> {
  /** the record key is bytes[start, end) */
  key(bytes: Uint8Array, start: number, end: number): K;
  /** the record value is bytes[0, size) */
  value(bytes: Uint8Array, size: number): V;
}

/** Writes records, in key order, into a sub-database of a store being built. */
export type RecordWriter = (name: SubDatabaseName, records: Iterable<readonly [Buffer, Buffer]>) => void;

type Env = RootDatabase<Buffer, Buffer>;

/** etcd's defaults for --backend-batch-interval and --backend-batch-limit. */
export const defaultBatchIntervalMs = 100;
export const defaultBatchLimit = 10_000;

interface OpenBatch {
  commit(result: undefined): unknown;
  timer: NodeJS.Timeout;
  /** puts and deletes in it so far */
  writes: number;
}

export function encodeUint64(n: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(n));
  return buf;
}

export function decodeUint64(buf: Buffer | undefined): number {
  return buf === undefined || buf.length !== 8 ? 0 : Number(buf.readBigUInt64BE());
}

export class Backend {
  /** directory of the LMDB environment */
  readonly dir: string;
  private readonly opts: BackendOptions;
  private env: RootDatabase<Buffer, Buffer>;
  private dbs: Map<SubDatabaseName, Database<Buffer, Buffer>>;
  private inWrite = false;
  private closed = false;
  private openSnapshots = 0;
  /** environments swapped out while snapshots still read them: each closes when its last snapshot does */
  private readonly retired = new Map<Env, number>();
  private defragmenting = false;
  /** data.mdb's size as of the last commit (undefined: not known since) */
  private fileSize: number | undefined;
  /** the open batch transaction: applied writes not committed yet */
  private batch: OpenBatch | undefined;
  /** a batch commit that failed on its timer: the writes it held are gone, so no write may follow */
  private commitFailure: Error | undefined;

  private constructor(dir: string, opts: BackendOptions) {
    this.dir = dir;
    this.opts = opts;
    [this.env, this.dbs] = Backend.openEnv(dir, opts);
  }

  private static openEnv(dir: string, opts: BackendOptions): [RootDatabase<Buffer, Buffer>, Map<SubDatabaseName, Database<Buffer, Buffer>>] {
    const env = open<Buffer, Buffer>({
      path: dir,
      noSubdir: false, // a directory, whatever its name looks like
      maxDbs: SUB_DATABASES.length + 2,
      noSync: !opts.syncCommits,
      keyEncoding: 'binary',
      encoding: 'binary',
    });
    const dbs = new Map<SubDatabaseName, Database<Buffer, Buffer>>();
    for (const name of SUB_DATABASES) {
      dbs.set(name, env.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' }));
    }
    return [env, dbs];
  }

  /** Opens (creating if needed) the environment under dataDir/member/db. */
  static open(dataDir: string, opts: BackendOptions = {}): Backend {
    const dir = path.join(dataDir, ...DB_DIR);
    Backend.finishDefragment(dir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new Backend(dir, opts);
  }

  /**
   * Settles a defragment that a crash interrupted. The copy is complete and flushed before the
   * old directory moves aside, so: no `db` but a `db.defrag` = the copy goes in; a `db.defrag`
   * next to a `db` = an unfinished copy, dropped; a leftover `db.old` is dropped.
   */
  private static finishDefragment(dir: string): void {
    const copyDir = `${dir}.defrag`;
    if (fs.existsSync(copyDir)) {
      if (fs.existsSync(dir)) fs.rmSync(copyDir, { recursive: true, force: true });
      else fs.renameSync(copyDir, dir);
    }
    fs.rmSync(`${dir}.old`, { recursive: true, force: true });
  }

  db(name: SubDatabaseName): Database<Buffer, Buffer> {
    const db = this.dbs.get(name);
    if (db === undefined) throw new Error(`mvcc: unknown sub-database ${JSON.stringify(name)}`);
    return db;
  }

  /** Committed read (or, inside writeSync, a read of the open transaction). */
  get(name: SubDatabaseName, key: Buffer): Buffer | undefined {
    return this.db(name).get(key);
  }

  entries(name: SubDatabaseName, opts: RangeOpts = {}): Iterable<{ key: Buffer; value: Buffer }> {
    return this.db(name).getRange({ start: opts.start, end: opts.end });
  }

  /**
   * Every committed record of a sub-database in key order, decoded in place: no Buffer is made
   * per record, which is what makes scanning millions of them at start-up cheap. Opens a
   * handle on the sub-database with the decoder as its key and value encoding (lmdb-js hands a
   * custom decoder its shared read buffer instead of a copy).
   */
  decodedEntries<K, V>(name: SubDatabaseName, decoder: RecordDecoder<K, V>): Iterable<{ key: K; value: V }> {
    if (this.inWrite) throw new Error('mvcc: decodedEntries inside a write transaction');
    this.commitBatch();
    this.db(name); // an unknown name fails here, not as a new sub-database
    // lmdb-js's typings leave these two database options out; its README documents them
    const options = {
      name,
      keyEncoder: {
        readKey: decoder.key,
        writeKey: (key: Buffer, target: Uint8Array, start: number) => {
          target.set(key, start);
          return start + key.length;
        },
      },
      encoder: {
        encode: () => {
          throw new Error('mvcc: a decoding handle is read-only');
        },
        decode: decoder.value,
      },
    };
    const db = this.env.openDB<V, Buffer>(options);
    // from the smallest key: without a start, a custom key encoding begins at byte 5
    const from = Buffer.alloc(1);
    return db.getRange({ start: from }) as unknown as Iterable<{ key: K; value: V }>; // keys come from decoder.key
  }

  /** The consistent index as last committed. */
  consistentIndex(): number {
    return decodeUint64(this.get(META_DB, MetaKey.consistentIndex));
  }

  term(): number {
    return decodeUint64(this.get(META_DB, MetaKey.term));
  }

  /**
   * Runs fn inside one synchronous write transaction and commits it; a throw aborts it.
   * Not reentrant: a nested call is a programming error.
   */
  writeSync<T>(fn: (w: BackendWriter) => T): T {
    if (this.closed) throw new Error('mvcc: backend is closed');
    if (this.inWrite) throw new Error('mvcc: nested write transaction');
    if (this.commitFailure !== undefined) throw this.commitFailure;
    const batch = (this.batch ??= this.openBatch());
    this.inWrite = true;
    try {
      // a child of the batch transaction: a throw aborts only this one
      return this.env.transactionSync(() => fn(this.writer));
    } finally {
      this.inWrite = false;
      if (batch.writes >= (this.opts.batchLimit ?? defaultBatchLimit)) this.commitBatch();
    }
  }

  /** A put inside writeSync straight to a sub-database, counted toward the batch limit (the apply's path for revision records). */
  putInWrite(name: SubDatabaseName, key: Buffer, value: Buffer): void {
    if (this.batch === undefined || !this.inWrite) throw new Error('mvcc: a put outside writeSync');
    this.db(name).putSync(key, value);
    this.batch.writes++;
  }

  /**
   * etcd's batch transaction: writes stay in one open LMDB write transaction, which every read
   * sees, and commit together after the batch interval or limit. A commit per apply touched the tree's
   * right edge through the map at every put (the kernel maps 64 KiB around each touched page, so
   * the whole file ended up resident) and paid a commit's page writes per put. lmdb-js keeps a
   * transaction open while its callback's result is pending: the result here is a thenable that
   * hands over the commit, so the batch commits synchronously when a snapshot, sync or close needs it.
   */
  private openBatch(): OpenBatch {
    let finish: ((result: undefined) => unknown) | undefined;
    const pending = {
      then(onCommit: (result: undefined) => unknown) {
        finish = onCommit;
        return pending;
      },
    };
    this.env.transactionSync(() => pending);
    if (finish === undefined) throw new Error('mvcc: lmdb did not hold the batch transaction open');
    const commit = finish;
    const timer = setTimeout(() => {
      try {
        this.commitBatch();
      } catch (err) {
        this.commitFailure = err instanceof Error ? err : new Error(String(err));
      }
    }, this.opts.batchIntervalMs ?? defaultBatchIntervalMs);
    timer.unref();
    return { commit, timer, writes: 0 };
  }

  /** Commits the open batch, if any. */
  commitBatch(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    if (this.inWrite) throw new Error('mvcc: commit inside a write transaction');
    this.batch = undefined;
    clearTimeout(batch.timer);
    this.fileSize = undefined;
    const started = performance.now();
    batch.commit(undefined);
    this.opts.onCommit?.((performance.now() - started) / 1000);
  }

  private readonly writer: BackendWriter = {
    get: (name, key) => this.db(name).get(key),
    put: (name, key, value) => this.putInWrite(name, key, value),
    delete: (name, key) => {
      if (this.batch !== undefined) this.batch.writes++;
      return this.db(name).removeSync(key);
    },
    entries: (name, opts = {}) => this.db(name).getRange({ start: opts.start, end: opts.end }),
  };

  /** A consistent view of every sub-database as of the last commit; close() it when done. */
  snapshot(): BackendSnapshot {
    this.commitBatch();
    const env = this.env;
    const txn: Transaction = env.useReadTransaction();
    const dbs = this.dbs;
    const dbOf = (name: SubDatabaseName) => {
      const db = dbs.get(name);
      if (db === undefined) throw new Error(`mvcc: unknown sub-database ${JSON.stringify(name)}`);
      return db;
    };
    let done = false;
    this.openSnapshots++;
    const consistentIndex = decodeUint64(dbOf(META_DB).get(MetaKey.consistentIndex, { transaction: txn }));
    return {
      consistentIndex,
      databases: SUB_DATABASES,
      get: (name, key) => dbOf(name).get(key, { transaction: txn }),
      entries: (name, opts = {}) => dbOf(name).getRange({ start: opts.start, end: opts.end, transaction: txn }),
      close: () => {
        if (!done) {
          done = true;
          txn.done();
          const left = this.retired.get(env);
          if (left === undefined) this.openSnapshots--;
          else if (left > 1) this.retired.set(env, left - 1);
          else {
            this.retired.delete(env);
            void env.close();
          }
        }
      },
    };
  }

  /**
   * Rewrites the environment compactly and swaps it in, so the file shrinks to the data it
   * holds (etcd's defragment). The copy is one synchronous transaction, so no write can slip
   * between copy and swap; reads and writes go on against the new copy while the old one closes.
   * Refused while a snapshot is open.
   */
  async defragment(): Promise<void> {
    if (this.openSnapshots > 0) throw new Error('mvcc: cannot defragment while a snapshot is being read');
    // a synchronous copy, so no write slips between copy and swap
    await this.swapIn((write) => {
      for (const name of SUB_DATABASES) {
        const db = this.db(name);
        write(name, (function* () {
          for (const { key, value } of db.getRange({})) yield [key, value] as const;
        })());
      }
    });
  }

  /**
   * Replaces every sub-database with what `fill` writes (a leader's image, for a raft snapshot),
   * crash-safe as defragment. Snapshots open on the old contents go on reading them. No write may
   * be applied while it runs.
   */
  async replaceContents(fill: (write: RecordWriter) => Promise<void>): Promise<void> {
    await this.swapIn(fill);
  }

  /** Builds a new environment beside this one with `fill`, then swaps it in. */
  private async swapIn(fill: (write: RecordWriter) => void | Promise<void>): Promise<void> {
    if (this.closed) throw new Error('mvcc: backend is closed');
    if (this.inWrite || this.defragmenting) throw new Error('mvcc: defragment while writing');
    this.commitBatch();
    this.defragmenting = true;
    try {
      const copyDir = `${this.dir}.defrag`;
      const oldDir = `${this.dir}.old`;
      fs.rmSync(copyDir, { recursive: true, force: true });
      fs.rmSync(oldDir, { recursive: true, force: true });
      fs.mkdirSync(copyDir, { recursive: true, mode: 0o700 });
      const [env, dbs] = Backend.openEnv(copyDir, this.opts);
      try {
        const filled = fill((name, records) =>
          env.transactionSync(() => {
            const to = dbs.get(name) as Database<Buffer, Buffer>;
            for (const [key, value] of records) to.putSync(key, value, { append: true });
          }),
        );
        if (filled !== undefined) await filled;
      } catch (err) {
        await env.close();
        fs.rmSync(copyDir, { recursive: true, force: true });
        throw err;
      }
      const old = this.env;
      this.env = env;
      this.fileSize = undefined;
      this.dbs = dbs;
      if (this.openSnapshots > 0) this.retired.set(old, this.openSnapshots);
      else await old.close();
      this.openSnapshots = 0;
      await this.sync(); // the copy is on disk before the old directory moves aside
      // the new environment's files are open; renaming their directory leaves them in use
      fs.renameSync(this.dir, oldDir);
      fs.renameSync(copyDir, this.dir);
      fs.rmSync(oldDir, { recursive: true, force: true });
    } finally {
      this.defragmenting = false;
    }
  }

  /** Commits the open batch and flushes every committed transaction to disk. */
  sync(): Promise<void> {
    this.commitBatch();
    return new Promise((resolve, reject) => {
      (this.env as unknown as { sync(cb: (err?: Error) => void): void }).sync((err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Read transactions open now (etcd_mvcc_db_open_read_transactions): the snapshots not closed yet,
   * on this environment or one swapped out, and the one lmdb-js keeps for plain reads (as etcd's
   * backend keeps its read transaction).
   */
  openReadTransactions(): number {
    let open = 1 + this.openSnapshots;
    for (const left of this.retired.values()) open += left;
    return open;
  }

  /** Size of the database file in bytes (etcd_mvcc_db_total_size_in_bytes). */
  size(): number {
    // Every write request checks the quota against it: one stat per commit, not one per request.
    if (this.fileSize !== undefined) return this.fileSize;
    try {
      this.fileSize = fs.statSync(path.join(this.dir, 'data.mdb')).size;
    } catch {
      return 0;
    }
    return this.fileSize;
  }

  /** Bytes of the pages the sub-databases use (etcd_mvcc_db_total_size_in_use_in_bytes). */
  sizeInUse(): number {
    type TreeStats = { pageSize?: number; treeBranchPageCount?: number; treeLeafPageCount?: number; overflowPages?: number };
    const pages = (st: TreeStats) => (st.treeBranchPageCount ?? 0) + (st.treeLeafPageCount ?? 0) + (st.overflowPages ?? 0);
    const root = this.env.getStats() as TreeStats;
    let total = pages(root) + 2; // the root database (holding the names) and LMDB's two meta pages
    for (const db of this.dbs.values()) total += pages(db.getStats() as TreeStats);
    return total * (root.pageSize ?? 4096);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync();
    this.closed = true;
    await this.env.close();
  }
}
