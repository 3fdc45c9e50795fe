// A small model of etcd's key bucket for the snapshot tests: it produces revision-keyed entries
// from puts and deletes (as etcd's mvcc would), compacts them, and answers "what does a range
// over every key return at revision R", so the tests can compare it with real etcd.
import {
  type KeyValue,
  type KeyValuePair,
  type RevisionKey,
  decodeKeyValue,
  decodeRevisionKey,
  encodeKeyValue,
  encodeRevisionKey,
} from '../../src/snapshot';

export interface KeyBucketEntry {
  rev: RevisionKey;
  kv: KeyValue;
}

/** What a range read returns for one key, in a form both etcdctl's JSON and the model give. */
export interface VisibleKv {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
  lease: string;
}

export function decodeKeyBucket(pairs: KeyValuePair[]): KeyBucketEntry[] {
  return pairs.map(([k, v]) => ({ rev: decodeRevisionKey(k), kv: decodeKeyValue(v) }));
}

/** Every live key at revision `rev`, sorted by key, from key bucket entries in revision order. */
export function visibleAt(entries: KeyBucketEntry[], rev: number): VisibleKv[] {
  const live = new Map<string, KeyValue>();
  for (const { rev: r, kv } of entries) {
    if (r.main > rev) break;
    const key = Buffer.from(kv.key).toString('latin1');
    if (r.tombstone) live.delete(key);
    else live.set(key, kv);
  }
  return [...live.entries()]
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')))
    .map(([, kv]) => visible(kv));
}

export function visible(kv: KeyValue): VisibleKv {
  return {
    key: Buffer.from(kv.key).toString('latin1'),
    value: Buffer.from(kv.value).toString('latin1'),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease.toString(16),
  };
}

/** Parses `etcdctl get ... -w json` (lease IDs can exceed 2^53, so they are read as text). */
export function parseEtcdctlGet(json: string): { revision: number; kvs: VisibleKv[] } {
  const quoted = json.replace(/"lease":(\d+)/g, '"lease":"$1"');
  const parsed = JSON.parse(quoted) as {
    header: { revision: number };
    kvs?: { key: string; value?: string; create_revision: number; mod_revision: number; version: number; lease?: string }[];
  };
  return {
    revision: parsed.header.revision,
    kvs: (parsed.kvs ?? []).map((kv) => ({
      key: Buffer.from(kv.key, 'base64').toString('latin1'),
      value: Buffer.from(kv.value ?? '', 'base64').toString('latin1'),
      createRevision: kv.create_revision,
      modRevision: kv.mod_revision,
      version: kv.version,
      lease: BigInt(kv.lease ?? '0').toString(16),
    })),
  };
}

/** Builds a key bucket the way etcd's mvcc fills it. Revision 1 is the empty store, as in etcd. */
export class KeyBucketModel {
  readonly entries: KeyBucketEntry[] = [];
  private rev = 1;
  private readonly live = new Map<string, KeyValue>();

  get revision(): number {
    return this.rev;
  }

  /** One transaction: puts and deletes share a main revision with rising sub revisions. */
  txn(ops: ({ put: string; value: string; lease?: bigint } | { del: string })[]): void {
    this.rev++;
    ops.forEach((op, sub) => {
      if ('put' in op) {
        const prev = this.live.get(op.put);
        const kv: KeyValue = {
          key: Buffer.from(op.put),
          createRevision: prev ? prev.createRevision : this.rev,
          modRevision: this.rev,
          version: prev ? prev.version + 1 : 1,
          value: Buffer.from(op.value),
          lease: op.lease ?? 0n,
        };
        this.live.set(op.put, kv);
        this.entries.push({ rev: { main: this.rev, sub, tombstone: false }, kv });
      } else {
        if (!this.live.delete(op.del)) throw new Error(`model: delete of missing key ${op.del}`);
        const kv: KeyValue = { key: Buffer.from(op.del), createRevision: 0, modRevision: 0, version: 0, value: new Uint8Array(0), lease: 0n };
        this.entries.push({ rev: { main: this.rev, sub, tombstone: true }, kv });
      }
    });
  }

  /** etcd's compaction: per key, revisions at or below `rev` but the last go; a last tombstone goes too. */
  compact(rev: number): void {
    const lastAtOrBelow = new Map<string, number>();
    this.entries.forEach((e, i) => {
      if (e.rev.main <= rev) lastAtOrBelow.set(Buffer.from(e.kv.key).toString('latin1'), i);
    });
    const keep = this.entries.filter((e, i) => {
      if (e.rev.main > rev) return true;
      return lastAtOrBelow.get(Buffer.from(e.kv.key).toString('latin1')) === i && !e.rev.tombstone;
    });
    this.entries.splice(0, this.entries.length, ...keep);
  }

  pairs(): KeyValuePair[] {
    return this.entries.map((e) => [encodeRevisionKey(e.rev, { tombstone: e.rev.tombstone }), encodeKeyValue(e.kv)]);
  }
}
