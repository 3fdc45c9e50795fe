// Walks one bucket's B+tree depth first and returns its leaf entries in key order, one at a
// time, reading pages only when the walk reaches them. Besides what PageStore checks, it checks
// that keys ascend within every node and that every key under a branch element lies between that
// element's key and the next one's (so keys also ascend across pages).
import { SnapshotError, hexKey } from './errors';
import { type LeafEntry, type NodeView, branchEntry, leafEntry, viewNode } from './node-view';
import type { PageStore } from './page-store';

interface Frame {
  node: NodeView;
  index: number;
  /** Keys in this node are >= lo (when set) and < hi (when set). */
  lo: Buffer | null;
  hi: Buffer | null;
  prev: Buffer | null;
}

export type BucketRoot = { pgid: number } | { inline: Buffer };

export class TreeWalker {
  private readonly pages: PageStore;
  private readonly bucketLabel: string;
  private readonly stack: Frame[] = [];
  private pendingRoot: BucketRoot | null;

  constructor(pages: PageStore, root: BucketRoot, bucketLabel: string) {
    this.pages = pages;
    this.pendingRoot = root;
    this.bucketLabel = bucketLabel;
  }

  /** The next leaf entry in key order, or null when the bucket is done. */
  async next(): Promise<LeafEntry | null> {
    if (this.pendingRoot !== null) {
      const root = this.pendingRoot;
      this.pendingRoot = null;
      const node =
        'pgid' in root
          ? await this.pages.loadNode(root.pgid)
          : viewNode(root.inline, `inline page of ${this.bucketLabel}`);
      if (!('pgid' in root) && !node.isLeaf) throw new SnapshotError('bad-page', `${node.label}: an inline page must be a leaf`);
      this.stack.push({ node, index: 0, lo: null, hi: null, prev: null });
    }
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return null;
      if (top.index >= top.node.count) {
        this.stack.pop();
        continue;
      }
      const i = top.index++;
      if (top.node.isLeaf) {
        const entry = leafEntry(top.node, i);
        this.checkOrder(top, i, entry.key);
        return entry;
      }
      const elem = branchEntry(top.node, i);
      this.checkOrder(top, i, elem.key);
      const hi = i + 1 < top.node.count ? branchEntry(top.node, i + 1).key : top.hi;
      const child = await this.pages.loadNode(elem.pgid);
      this.stack.push({ node: child, index: 0, lo: elem.key, hi, prev: null });
    }
  }

  private checkOrder(frame: Frame, i: number, key: Buffer): void {
    const where = `${frame.node.label} (${this.bucketLabel}) element ${i}`;
    if (frame.prev !== null && Buffer.compare(frame.prev, key) >= 0) {
      throw new SnapshotError('unsorted', `${where}: key ${hexKey(key)} is not after ${hexKey(frame.prev)}`);
    }
    if (frame.lo !== null && Buffer.compare(key, frame.lo) < 0) {
      throw new SnapshotError('unsorted', `${where}: key ${hexKey(key)} sorts before its parent's key ${hexKey(frame.lo)}`);
    }
    if (frame.hi !== null && Buffer.compare(key, frame.hi) >= 0) {
      throw new SnapshotError('unsorted', `${where}: key ${hexKey(key)} is not below the next parent key ${hexKey(frame.hi)}`);
    }
    frame.prev = key;
  }
}
