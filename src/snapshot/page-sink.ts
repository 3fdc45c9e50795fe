// Collects pages in page-id order and writes them to a file in large positional writes. It also
// hands out page ids, so a node's id is known before its bytes are built. Appending is
// synchronous; the owner calls flush() when `full` says a batch is ready, which keeps the hot
// path free of promises and bounds what waits in memory to about one batch.
import type { FileHandle } from 'node:fs/promises';
import { writeFully } from './file-io';

const BATCH_BYTES = 1 << 20;

export class PageSink {
  private readonly fh: FileHandle;
  private readonly pageSize: number;
  private nextPgid: number;
  private batch: Buffer[] = [];
  private batchBytes = 0;
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

  get full(): boolean {
    return this.batchBytes >= BATCH_BYTES;
  }

  /** Appends a node of one or more whole pages built for id `highWater`; returns that id. */
  append(node: Buffer): number {
    if (node.length === 0 || node.length % this.pageSize !== 0) {
      throw new Error(`page sink: node of ${node.length} bytes is not whole pages`);
    }
    const pgid = this.nextPgid;
    this.nextPgid += node.length / this.pageSize;
    this.batch.push(node);
    this.batchBytes += node.length;
    return pgid;
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const data = this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch, this.batchBytes);
    const at = this.batchStartPgid * this.pageSize;
    this.batch = [];
    this.batchBytes = 0;
    this.batchStartPgid = this.nextPgid;
    await writeFully(this.fh, data, at);
  }

  /** Writes a page at a fixed id outside the append order (the meta and freelist pages). */
  async writeAt(pgid: number, page: Buffer): Promise<void> {
    await writeFully(this.fh, page, pgid * this.pageSize);
  }
}
