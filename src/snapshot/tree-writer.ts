// Bulk-loads one bucket's B+tree from keys that arrive in ascending order, emitting each node as
// soon as it is full. Leaves fill left to right; each finished leaf adds (first key, page id) to
// the branch level above it, which is itself emitted when full, and so on upwards. Memory is one
// partly filled node per level: O(tree height x page size), whatever the number of keys.
import { SnapshotError, hexKey } from './errors';
import { BUCKET_HEADER_SIZE, MAX_KEY_SIZE, MAX_VALUE_SIZE, LEAF_ELEMENT_SIZE, PAGE_HEADER_SIZE, inlineLimit } from './layout';
import { type BranchElement, branchElementSize, encodeBranchNode } from './branch-encoding';
import { LeafBuilder } from './leaf-builder';
import type { PageSink } from './page-sink';

interface BranchLevel {
  pending: BranchElement[];
  size: number;
  /** Nodes of this level already emitted. */
  written: number;
}

export interface TreeWriterOptions {
  /** Whether a small bucket may be stored inside its parent's leaf (never for the root bucket). */
  allowInline: boolean;
  /** Used in error messages. */
  bucketName: string;
}

export class TreeWriter {
  private readonly sink: PageSink;
  private readonly pageSize: number;
  private readonly opts: TreeWriterOptions;
  private readonly leaf: LeafBuilder;
  private leavesWritten = 0;
  /** Last key of the previous leaf, to check order across a leaf boundary. */
  private prevLeafLastKey: Buffer | null = null;
  private readonly branches: BranchLevel[] = [];
  private count = 0;

  constructor(sink: PageSink, pageSize: number, opts: TreeWriterOptions) {
    this.sink = sink;
    this.pageSize = pageSize;
    this.opts = opts;
    this.leaf = new LeafBuilder(pageSize);
  }

  get keyCount(): number {
    return this.count;
  }

  /** Adds the next element; its key must sort after every key added before. Copies key and value. */
  add(flags: number, key: Uint8Array, value: Uint8Array): void {
    this.checkElement(key, value);
    const size = LEAF_ELEMENT_SIZE + key.length + value.length;
    if (this.leaf.count > 0 && this.leaf.size + size > this.pageSize) this.emitLeaf();
    this.leaf.add(flags, key, value);
    this.count++;
  }

  /** Emits what is pending and returns the bucket's value for its parent: header (+ inline page). */
  finish(): Buffer {
    if (this.opts.allowInline && this.leavesWritten === 0 && this.leaf.size <= inlineLimit(this.pageSize)) {
      return this.leaf.encodeInline();
    }
    if (this.leaf.count > 0 || this.leavesWritten === 0) this.emitLeaf();
    let root = -1;
    for (let depth = 0; root < 0; depth++) {
      const level = this.branches[depth];
      if (level.written === 0 && level.pending.length === 1) root = level.pending[0].pgid;
      else this.emitBranch(depth);
    }
    const value = Buffer.alloc(BUCKET_HEADER_SIZE);
    value.writeBigUInt64LE(BigInt(root), 0);
    return value;
  }

  private checkElement(key: Uint8Array, value: Uint8Array): void {
    const where = `bucket ${JSON.stringify(this.opts.bucketName)}`;
    if (key.length === 0) throw new SnapshotError('bad-input', `empty key in ${where}`);
    if (key.length > MAX_KEY_SIZE) throw new SnapshotError('bad-input', `key of ${key.length} bytes in ${where} exceeds ${MAX_KEY_SIZE}`);
    if (value.length > MAX_VALUE_SIZE) throw new SnapshotError('bad-input', `value of ${value.length} bytes in ${where} is too large`);
    const inOrder =
      this.leaf.count > 0
        ? this.leaf.compareLastKey(key) < 0
        : this.prevLeafLastKey === null || Buffer.compare(this.prevLeafLastKey, key) < 0;
    if (!inOrder) {
      const last = this.leaf.count > 0 ? this.leaf.lastKey() : (this.prevLeafLastKey as Buffer);
      throw new SnapshotError('unsorted', `keys out of order in ${where}: ${hexKey(key)} after ${hexKey(last)}`);
    }
  }

  /** Emits the pending leaf (an empty one if the bucket has no keys) and registers it above. */
  private emitLeaf(): void {
    const empty = this.leaf.count === 0;
    const firstKey = empty ? Buffer.alloc(0) : this.leaf.firstKey();
    if (!empty) this.prevLeafLastKey = this.leaf.lastKey();
    const pgid = this.sink.append(this.leaf.size, (out, id, overflow) => this.leaf.encodeNode(out, id, overflow));
    this.leaf.reset();
    this.leavesWritten++;
    this.addBranch(0, { key: firstKey, pgid });
  }

  private addBranch(depth: number, elem: BranchElement): void {
    if (this.branches.length === depth) this.branches.push({ pending: [], size: PAGE_HEADER_SIZE, written: 0 });
    const level = this.branches[depth];
    const size = branchElementSize(elem);
    // At least two children per branch node, or huge keys would make every level as wide as the last.
    if (level.pending.length >= 2 && level.size + size > this.pageSize) this.emitBranch(depth);
    level.pending.push(elem);
    level.size += size;
  }

  private emitBranch(depth: number): void {
    const level = this.branches[depth];
    const { pending, size } = level;
    const pgid = this.sink.append(size, (out, id, overflow) => encodeBranchNode(out, { pgid: id, overflow, elems: pending }));
    level.pending = [];
    level.size = PAGE_HEADER_SIZE;
    level.written++;
    this.addBranch(depth + 1, { key: pending[0].key, pgid });
  }
}
