// Lays nodes out in page-id order and writes them to a file in large positional writes. It hands
// out page ids, so a node knows its id while it is encoded, and encodes nodes straight into one
// reusable batch buffer (no allocation per page). Appending is synchronous; the owner awaits
// flush() whenever `full` says so, which keeps the hot path free of promises and bounds what
// waits in memory to one batch (plus a node too large for it).
import type { FileHandle } from 'node:fs/promises';
import { writeFully } from './file-io';

const BATCH_BYTES = 1 << 20;

/** Encodes a node into `out` (zeroed, whole pages) as page `pgid` with `overflow` extra pages. */
export type NodeEncoder = (out: Buffer, pgid: number, overflow: number) => void;

export class PageSink {
  private readonly fh: FileHandle;
  private readonly pageSize: number;
  private nextPgid: number;
  private readonly batch = Buffer.alloc(BATCH_BYTES);
  private used = 0;
  /** Nodes that did not fit in the batch; they follow it in the file. */
  private tail: Buffer[] = [];
  private batchStartPgid: number;

  constructor(fh: FileHandle, pageSize: number, firstPgid: number) {
    this.fh = fh;
    this.pageSize = pageSize;
    this.nextPgid = firstPgid;
    this.batchStartPgid = firstPgid;
  }

  /** The high water mark so far: the id the next node will get. */
  get highWater(): number {
    return this.nextPgid;
  }

  /** True when the next page might not fit: time to flush. */
  get full(): boolean {
    return this.tail.length > 0 || this.used + this.pageSize > this.batch.length;
  }

  /** Appends a node of `size` bytes (rounded up to whole pages) encoded by `encode`; returns its page id. */
  append(size: number, encode: NodeEncoder): number {
    const pages = Math.max(1, Math.ceil(size / this.pageSize));
    const length = pages * this.pageSize;
    const pgid = this.nextPgid;
    this.nextPgid += pages;
    if (this.tail.length === 0 && this.used + length <= this.batch.length) {
      const out = this.batch.subarray(this.used, this.used + length);
      out.fill(0);
      encode(out, pgid, pages - 1);
      this.used += length;
    } else {
      const out = Buffer.alloc(length);
      encode(out, pgid, pages - 1);
      this.tail.push(out);
    }
    return pgid;
  }

  async flush(): Promise<void> {
    let at = this.batchStartPgid * this.pageSize;
    if (this.used > 0) await writeFully(this.fh, this.batch.subarray(0, this.used), { position: at });
    at += this.used;
    for (const node of this.tail) {
      await writeFully(this.fh, node, { position: at });
      at += node.length;
    }
    this.used = 0;
    this.tail = [];
    this.batchStartPgid = this.nextPgid;
  }

  /** Writes a page at a fixed id outside the append order (the meta and freelist pages). */
  async writeAt(pgid: number, page: Buffer): Promise<void> {
    await writeFully(this.fh, page, { position: pgid * this.pageSize });
  }
}
