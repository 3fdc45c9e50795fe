// Reads byte ranges of a file on demand through a read-ahead window, so walking pages that lie
// next to each other costs one read per window instead of one per page.
import { open, type FileHandle } from 'node:fs/promises';
import { SnapshotError } from './errors';

const WINDOW_BYTES = 64 * 1024;

export class PageFile {
  readonly size: number;
  private readonly fh: FileHandle;
  /** Reads never go past this offset (the end of bbolt's pages, before any trailer). */
  private limit: number;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  private constructor(fh: FileHandle, size: number) {
    this.fh = fh;
    this.size = size;
    this.limit = size;
  }

  static async open(path: string): Promise<PageFile> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      return new PageFile(fh, size);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  setLimit(limit: number): void {
    this.limit = Math.min(limit, this.size);
  }

  /**
   * Returns `length` bytes at `offset`. The buffer may share memory with later calls' results, but
   * is never overwritten: a new window gets a new buffer.
   */
  async read(offset: number, length: number): Promise<Buffer> {
    if (offset + length > this.limit) {
      throw new SnapshotError('truncated', `file truncated (need bytes ${offset}..${offset + length}, file has ${this.size})`);
    }
    const inWindow = offset >= this.windowStart && offset + length <= this.windowStart + this.window.length;
    if (!inWindow) {
      const want = Math.min(Math.max(length, WINDOW_BYTES), this.limit - offset);
      const buf = Buffer.alloc(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await this.fh.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) throw new SnapshotError('truncated', `file truncated (short read at offset ${offset + got})`);
        got += bytesRead;
      }
      this.window = buf;
      this.windowStart = offset;
    }
    const at = offset - this.windowStart;
    return this.window.subarray(at, at + length);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
