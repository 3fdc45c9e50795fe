// Reads and writes of one request against the index and the `key` sub-database
// (etcd: storeTxnRead / storeTxnWrite). A TxnWrite is one write request: all its changes share
// the main revision beginRev + 1 and get sub revisions 0, 1, 2, ... in order.

import type { Backend } from './backend';
import { MvccError } from './errors';
import type { KeyValue, LeaseHooks } from './kv';
import { decodeKeyValue, encodeKeyValue } from './kv-codec';
import type { Revision } from './revision';
import { revToBytes } from './revision';
import { KEY_DB } from './schema';
import type { IndexRange, TreeIndex } from './tree-index';
import { indexKeyToKey, keyToIndexKey } from './tree-index';

/** The store state a txn works on (implemented by KVStore). */
export interface StoreCore {
  readonly backend: Backend;
  readonly index: TreeIndex;
  readonly currentRevision: number;
  readonly compactRevision: number;
  readonly lease: LeaseHooks | undefined;
}

export interface RangeKeysOptions {
  /** read at this revision; <= 0 = the txn's revision */
  rev?: number;
  /** at most this many kvs (0 = all) */
  limit?: number;
  /** count only, no kvs */
  countOnly?: boolean;
}

export interface RangeKeysResult {
  kvs: KeyValue[];
  /** keys alive in the range at the read revision */
  count: number;
  /** the revision of the txn (the header revision) */
  rev: number;
}

/** A change made by a write txn, in order: a put (kv as stored) or a delete (kv = key + modRevision). */
export interface Change {
  kv: KeyValue;
  deleted: boolean;
}

export function readRecord(core: StoreCore, rev: Revision): KeyValue {
  const bytes = core.backend.get(KEY_DB, revToBytes(rev));
  if (bytes === undefined) {
    throw new Error(`mvcc: index points at revision ${rev.main}.${rev.sub} which is not on disk`);
  }
  return decodeKeyValue(bytes);
}

/** Range over the store as seen at txnRev (the revision after this txn's changes so far). */
export function rangeKeys(core: StoreCore, range: IndexRange, txnRev: number, opts: RangeKeysOptions): RangeKeysResult {
  let rev = opts.rev ?? 0;
  if (rev > txnRev) throw new MvccError('future-rev');
  if (rev <= 0) rev = txnRev;
  if (rev < core.compactRevision) throw new MvccError('compacted', { compactRevision: core.compactRevision });
  if (opts.countOnly) return { kvs: [], count: core.index.count(range, rev), rev: txnRev };
  const { hits, total } = core.index.revisions(range, rev, opts.limit ?? 0);
  return { kvs: hits.map((h) => readRecord(core, h.modified)), count: total, rev: txnRev };
}

export class TxnWrite {
  readonly beginRev: number;
  readonly changes: Change[] = [];
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
    this.beginRev = core.currentRevision;
  }

  /** The revision reads in this txn see: beginRev, or beginRev + 1 once something changed. */
  get rev(): number {
    return this.changes.length > 0 ? this.beginRev + 1 : this.beginRev;
  }

  range(range: IndexRange, opts: RangeKeysOptions = {}): RangeKeysResult {
    return rangeKeys(this.core, range, this.rev, opts);
  }

  /** Writes a new revision of key; returns the revision. */
  put(key: Buffer, value: Buffer, lease: bigint): number {
    const { index, backend } = this.core;
    const main = this.beginRev + 1;
    const ikey = keyToIndexKey(key);
    const ki = index.keyIndex(ikey);
    const prev = ki?.get(main);
    let oldLease = 0n;
    let createRevision = main;
    let version = 1;
    if (prev !== undefined) {
      createRevision = prev.created.main;
      version = prev.version + 1;
      if (this.core.lease !== undefined) oldLease = this.core.lease.leaseOf(key);
    }
    const rev: Revision = { main, sub: this.changes.length };
    const kv: KeyValue = { key, value, createRevision, modRevision: main, version, lease };
    backend.putInWrite(KEY_DB, revToBytes(rev), encodeKeyValue(kv));
    index.put(ikey, rev, ki);
    this.changes.push({ kv, deleted: false });
    const hooks = this.core.lease;
    if (hooks !== undefined) {
      if (oldLease !== 0n) hooks.detach(oldLease, key);
      if (lease !== 0n) hooks.attach(lease, key);
    }
    return main;
  }

  /** Deletes every key alive in range; returns the count and the revision (etcd's rules). */
  deleteRange(range: IndexRange): { deleted: number; rev: number } {
    const { hits } = this.core.index.revisions(range, this.rev);
    for (const hit of hits) this.delete(hit.key);
    if (hits.length > 0 || this.changes.length > 0) return { deleted: hits.length, rev: this.beginRev + 1 };
    return { deleted: 0, rev: this.beginRev };
  }

  private delete(ikey: string): void {
    const { index, backend } = this.core;
    const key = indexKeyToKey(ikey);
    const rev: Revision = { main: this.beginRev + 1, sub: this.changes.length };
    const hooks = this.core.lease;
    const oldLease = hooks !== undefined ? hooks.leaseOf(key) : 0n;
    const tombstone: KeyValue = { key, value: Buffer.alloc(0), createRevision: 0, modRevision: 0, version: 0, lease: 0n };
    backend.putInWrite(KEY_DB, revToBytes(rev, true), encodeKeyValue(tombstone));
    index.tombstone(ikey, rev);
    this.changes.push({ kv: { ...tombstone, modRevision: rev.main }, deleted: true });
    if (hooks !== undefined && oldLease !== 0n) hooks.detach(oldLease, key);
  }
}
