// The in-memory index of every key: key -> KeyIndex, in key byte order (etcd's treeIndex).
// Keys are held as latin1 strings: one char per byte, so string order is byte order and a
// short key costs a few dozen bytes instead of a Buffer object.

import BTree from 'sorted-btree';
import { bulkLoad } from 'sorted-btree/extended/bulkLoad';
import { KeyIndex } from './key-index';
import type { KeyIndexGet } from './key-index';
import type { Revision } from './revision';

/** A key range in index form: [start, end), end null = no upper bound; single = just start. */
export interface IndexRange {
  start: string;
  end: string | null;
  single: boolean;
}

export function keyToIndexKey(key: Buffer): string {
  return key.toString('latin1');
}

export function indexKeyToKey(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/** rangeEnd as in kv.ts: absent/empty = single key, `\0` = no upper bound. */
export function toIndexRange(key: Buffer, rangeEnd: Buffer | undefined): IndexRange {
  const start = keyToIndexKey(key);
  if (rangeEnd === undefined || rangeEnd.length === 0) return { start, end: null, single: true };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { start, end: null, single: false };
  return { start, end: keyToIndexKey(rangeEnd), single: false };
}

/** Plain code-unit order (= byte order for latin1 keys); cheaper than the library's mixed-type default. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface IndexHit extends KeyIndexGet {
  key: string;
}

/** Keys per tree node (the library's default). */
const NODE_SIZE = 32;

export class TreeIndex {
  private readonly tree: BTree<string, KeyIndex>;

  constructor(tree = new BTree<string, KeyIndex>(undefined, compareStrings, NODE_SIZE)) {
    this.tree = tree;
  }

  /** The index of keys given in ascending order (a restore), loaded in bulk: far cheaper than inserting them one by one. */
  static fromSorted(keys: string[], histories: KeyIndex[]): TreeIndex {
    return new TreeIndex(bulkLoad(keys, histories, NODE_SIZE, compareStrings));
  }

  get size(): number {
    return this.tree.size;
  }

  /** Records a put; pass the key's KeyIndex when the caller already looked it up. */
  put(key: string, rev: Revision, ki: KeyIndex | undefined = this.tree.get(key)): void {
    if (ki === undefined) {
      ki = new KeyIndex();
      this.tree.set(key, ki);
    }
    ki.put(rev);
  }

  /** False if the key is not alive. */
  tombstone(key: string, rev: Revision): boolean {
    const ki = this.tree.get(key);
    return ki !== undefined && ki.tombstone(rev);
  }

  keyIndex(key: string): KeyIndex | undefined {
    return this.tree.get(key);
  }

  /** Calls visit for each key in range, in key order, until it returns false. */
  private visit(range: IndexRange, visit: (key: string, ki: KeyIndex) => boolean): void {
    if (range.single) {
      const ki = this.tree.get(range.start);
      if (ki !== undefined) visit(range.start, ki);
      return;
    }
    if (range.end !== null && range.start >= range.end) return;
    for (const [key, ki] of this.tree.entries(range.start)) {
      if (range.end !== null && key >= range.end) break;
      if (!visit(key, ki)) break;
    }
  }

  /**
   * The keys alive at atRev in range, in key order: at most `limit` hits (0 = all), and the total
   * number of keys alive at atRev in the range.
   */
  revisions(range: IndexRange, atRev: number, limit = 0): { hits: IndexHit[]; total: number } {
    const hits: IndexHit[] = [];
    let total = 0;
    this.visit(range, (key, ki) => {
      if (limit <= 0 || hits.length < limit) {
        const got = ki.get(atRev);
        if (got === undefined) return true;
        hits.push({ key, ...got });
        total++;
      } else if (ki.existsAt(atRev)) {
        total++;
      }
      return true;
    });
    return { hits, total };
  }

  count(range: IndexRange, atRev: number): number {
    let total = 0;
    this.visit(range, (_key, ki) => {
      if (ki.existsAt(atRev)) total++;
      return true;
    });
    return total;
  }

  /** Compact every key at atRev; keys left with no history leave the index. */
  compact(atRev: number): void {
    const emptied: string[] = [];
    for (const [key, ki] of this.tree.entries()) {
      if (ki.compact(atRev)) emptied.push(key);
    }
    this.tree.deleteKeys(emptied);
  }

  /** The revision of key a compaction at atRev would keep, if any. */
  keptAt(key: string, atRev: number): Revision | undefined {
    return this.tree.get(key)?.keep(atRev);
  }

  /** Whether a compaction at atRev would keep any revision at all. */
  anyKept(atRev: number): boolean {
    for (const ki of this.tree.values()) if (ki.keep(atRev) !== undefined) return true;
    return false;
  }

  /** Whether the record (key, rev) is still referenced by the index. */
  hasRevision(key: string, rev: Revision): boolean {
    return this.tree.get(key)?.hasRevision(rev) ?? false;
  }
}
