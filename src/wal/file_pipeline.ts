// Prepares the next segment file in the background, so cutting a segment does not wait for a file
// to be created and sized. Node has no fallocate, so "preallocating" sets the file's length with
// ftruncate: the size is fixed up front and unwritten space reads as zeros.

import * as path from 'node:path';
import * as fs from 'node:fs';
import { DURABLE_APPEND, FILE_MODE, closeFile, ftruncate, openFile, unlink } from './fsio';

export interface PreparedFile {
  path: string;
  fd: number;
}

export class FilePipeline {
  private count = 0;
  // Failures are kept as values: a rejected promise nobody awaits yet would crash the process.
  private next: Promise<PreparedFile | Error>;

  constructor(
    private readonly dir: string,
    private readonly size: number,
  ) {
    this.next = this.prepare();
  }

  /** The prepared file; it must be renamed before the next call, which reuses its name. */
  async take(): Promise<PreparedFile> {
    const got = await this.next;
    this.next = this.prepare();
    if (got instanceof Error) throw got;
    return got;
  }

  /** Removes the file prepared but not taken. */
  async close(): Promise<void> {
    const got = await this.next;
    if (got instanceof Error) return;
    await closeFile(got.fd);
    await unlink(got.path);
  }

  private async prepare(): Promise<PreparedFile | Error> {
    // Two names in turn, so the file being prepared never collides with the one just handed out.
    const file = path.join(this.dir, `${this.count++ % 2}.tmp`);
    try {
      const fd = await openFile(file, DURABLE_APPEND | fs.constants.O_CREAT | fs.constants.O_TRUNC, FILE_MODE);
      try {
        await ftruncate(fd, this.size);
      } catch (err) {
        await closeFile(fd);
        throw err;
      }
      return { path: file, fd };
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}
