// Loads pages of a bbolt file by id and keeps the books a checker needs: which pages the tree
// reaches (each at most once) and which the freelist holds, so that at the end every page below
// the high water mark is accounted for exactly once.
import { SnapshotError } from './errors';
import { FREELIST_COUNT_OVERFLOW, FREELIST_PAGE, PAGE_HEADER_SIZE, pageTypeName, readPageHeader, readPgid } from './layout';
import { type NodeView, viewNode } from './node-view';
import type { PageFile } from './page-file';

class Bitset {
  private readonly bits: Uint8Array;
  constructor(n: number) {
    this.bits = new Uint8Array(Math.ceil(n / 8));
  }
  has(i: number): boolean {
    return (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
  }
  add(i: number): void {
    this.bits[i >> 3] |= 1 << (i & 7);
  }
}

export class PageStore {
  private readonly file: PageFile;
  private readonly pageSize: number;
  private readonly highWater: number;
  private readonly reached: Bitset;
  private free: Bitset | null = null;

  constructor(file: PageFile, pageSize: number, highWater: number) {
    this.file = file;
    this.pageSize = pageSize;
    this.highWater = highWater;
    this.reached = new Bitset(highWater);
    this.reached.add(0);
    this.reached.add(1);
  }

  /** Reads the node at `pgid`, checking bounds, its header and that no other reference reached it. */
  async loadNode(pgid: number): Promise<NodeView> {
    const first = await this.readPage(pgid);
    const h = readPageHeader(first, 0);
    this.checkHeader(pgid, h.id, h.overflow);
    const bytes = h.overflow === 0 ? first : await this.readPages(pgid, h.overflow + 1);
    const node = viewNode(bytes, `page ${pgid}`);
    this.markReached(pgid, h.overflow);
    return node;
  }

  /** Reads the freelist page and remembers the free ids; a page both free and in use is an error. */
  async loadFreelist(pgid: number): Promise<number> {
    const first = await this.readPage(pgid);
    const h = readPageHeader(first, 0);
    this.checkHeader(pgid, h.id, h.overflow);
    if (h.flags !== FREELIST_PAGE) {
      throw new SnapshotError('bad-page', `page ${pgid}: unexpected page type ${pageTypeName(h.flags)}, want freelist`);
    }
    const bytes = h.overflow === 0 ? first : await this.readPages(pgid, h.overflow + 1);
    this.markReached(pgid, h.overflow);
    let start = PAGE_HEADER_SIZE;
    let count = h.count;
    if (count === FREELIST_COUNT_OVERFLOW) {
      count = readPgid(bytes, PAGE_HEADER_SIZE);
      start += 8;
    }
    if (start + count * 8 > bytes.length) {
      throw new SnapshotError('bad-page', `page ${pgid}: freelist of ${count} ids does not fit in its pages`);
    }
    const free = new Bitset(this.highWater);
    for (let i = 0; i < count; i++) {
      const id = readPgid(bytes, start + i * 8);
      if (id < 2 || id >= this.highWater) {
        throw new SnapshotError('out-of-bounds', `freed page ${id} out of bounds (high water mark ${this.highWater})`);
      }
      if (free.has(id)) throw new SnapshotError('page-reuse', `page ${id} freed twice in the freelist`);
      if (this.reached.has(id)) throw new SnapshotError('page-reuse', `page ${id} is both in use and in the freelist`);
      free.add(id);
    }
    this.free = free;
    return count;
  }

  /** With a persisted freelist, every page must be reached or free (bbolt's "unreachable unfreed"). */
  checkAccounted(): void {
    if (this.free === null) return;
    for (let id = 0; id < this.highWater; id++) {
      if (!this.reached.has(id) && !this.free.has(id)) {
        throw new SnapshotError('unreachable', `page ${id} is neither reachable nor in the freelist`);
      }
    }
  }

  private checkHeader(pgid: number, headerId: number, overflow: number): void {
    if (headerId !== pgid) throw new SnapshotError('bad-page', `page ${pgid}: header says it is page ${headerId}`);
    if (pgid + overflow >= this.highWater) {
      throw new SnapshotError('out-of-bounds', `page ${pgid + overflow} out of bounds (high water mark ${this.highWater}; page ${pgid} has ${overflow} overflow pages)`);
    }
  }

  private markReached(pgid: number, overflow: number): void {
    for (let id = pgid; id <= pgid + overflow; id++) {
      if (this.reached.has(id)) throw new SnapshotError('page-reuse', `page ${id} is reachable more than once`);
      if (this.free?.has(id)) throw new SnapshotError('page-reuse', `page ${id} is both in use and in the freelist`);
      this.reached.add(id);
    }
  }

  private async readPage(pgid: number): Promise<Buffer> {
    if (!Number.isSafeInteger(pgid) || pgid >= this.highWater) {
      throw new SnapshotError('out-of-bounds', `page ${pgid} out of bounds (high water mark ${this.highWater})`);
    }
    if (pgid < 2) throw new SnapshotError('bad-page', `page ${pgid} is a meta page but is referenced as data`);
    return this.readPages(pgid, 1);
  }

  private readPages(pgid: number, n: number): Promise<Buffer> {
    return this.file.read(pgid * this.pageSize, n * this.pageSize);
  }
}
