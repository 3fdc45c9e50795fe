// The few file operations the log needs, as promises over the callback API: plain fds, with the
// work on libuv's thread pool so a durable write or an fdatasync never blocks the event loop.

import * as fs from 'node:fs';
import { promisify } from 'node:util';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

function durableWrites(): number {
  // Windows has no O_DSYNC: without it a save would be acknowledged before it is on disk.
  if (fs.constants.O_DSYNC === undefined) throw new Error('wal: this platform has no O_DSYNC; cairn runs on Linux');
  return fs.constants.O_DSYNC;
}

/**
 * How a segment is opened for appending: with O_DSYNC a write returns once its data is on disk, so
 * a save is one trip to the thread pool where a write and an fdatasync were two.
 */
export const DURABLE_APPEND = fs.constants.O_RDWR | durableWrites();

export const openFile = promisify(fs.open);
export const closeFile = promisify(fs.close);
export const fdatasync = promisify(fs.fdatasync);
export const ftruncate = promisify(fs.ftruncate);
export const rename = promisify(fs.rename);
export const unlink = promisify(fs.unlink);
const write = promisify(fs.write);
const fsync = promisify(fs.fsync);

/** Writes all of `buf` at `position`, however many calls that takes. */
export async function writeAll(fd: number, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await write(fd, buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write made no progress at offset ${position + done}`);
    done += bytesWritten;
  }
}

export function writeAllSync(fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = fs.writeSync(fd, buf, done, buf.length - done, position + done);
    if (n <= 0) throw new Error(`write made no progress at offset ${position + done}`);
    done += n;
  }
}

/** Makes a rename, create or unlink in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const fd = await openFile(dir, 'r');
  try {
    await fsync(fd);
  } finally {
    await closeFile(fd);
  }
}

export function syncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
