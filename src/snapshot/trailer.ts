// etcd's snapshot stream: Maintenance.Snapshot sends the bbolt file (a whole number of pages) in
// chunks and then the 32-byte SHA-256 of those bytes; `etcdctl snapshot save` stores all of it.
// A file carries that trailer exactly when size % 512 == 32 (a bbolt file is a multiple of its
// page size, so of 512); a db file copied from a data dir has none, and etcdctl restores one only
// with --skip-hash-check.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { SnapshotError } from './errors';
import { writeFully } from './file-io';

export const SHA256_SIZE = 32;
/** etcd's Maintenance.Snapshot chunk size (snapshotSendBufferSize). */
export const SNAPSHOT_CHUNK_SIZE = 32 * 1024;
const HASH_READ_BYTES = 1 << 20;

export function hasSha256Trailer(fileSize: number): boolean {
  return fileSize % 512 === SHA256_SIZE;
}

export interface HashCheckOptions {
  /** etcdctl's --skip-hash-check: accept a file without trailer, and do not verify one that has it. */
  skipHashCheck?: boolean;
}

export interface HashCheck {
  /** Bytes of the bbolt file, without the trailer. */
  dbSize: number;
  hasTrailer: boolean;
  /** Whether the trailer was compared with the data (false when skipped or absent). */
  verified: boolean;
}

/** Checks a snapshot file's SHA-256 trailer as `etcdctl snapshot restore` does before using it. */
export async function checkSnapshotHash(path: string, opts: HashCheckOptions = {}): Promise<HashCheck> {
  const { size } = await stat(path);
  const hasTrailer = hasSha256Trailer(size);
  if (!hasTrailer) {
    if (!opts.skipHashCheck) {
      throw new SnapshotError(
        'missing-trailer',
        `missing sha256 trailer (${size} bytes; a db file copied from a data dir needs --skip-hash-check)`,
      );
    }
    return { dbSize: size, hasTrailer, verified: false };
  }
  const dbSize = size - SHA256_SIZE;
  if (opts.skipHashCheck) return { dbSize, hasTrailer, verified: false };
  const [want, got] = await Promise.all([readRange(path, dbSize, SHA256_SIZE), sha256Of(path, dbSize)]);
  if (!want.equals(got)) {
    throw new SnapshotError('hash-mismatch', `sha256 mismatch: trailer says ${want.toString('hex')}, data hashes to ${got.toString('hex')}`);
  }
  return { dbSize, hasTrailer, verified: true };
}

/** Appends the SHA-256 of the whole file to it, making a bbolt file into what `snapshot save` stores. */
export async function appendSha256Trailer(path: string): Promise<Buffer> {
  const { size } = await stat(path);
  if (size % 512 !== 0) throw new SnapshotError('bad-input', `${size} bytes is not a whole number of bbolt pages`);
  const digest = await sha256Of(path, size);
  const fh = await open(path, 'r+');
  try {
    await writeFully(fh, digest, { position: size });
    await fh.sync();
  } finally {
    await fh.close();
  }
  return digest;
}

export interface SnapshotResponse {
  remainingBytes: number;
  blob: Buffer;
}

/**
 * The messages of etcd's Maintenance.Snapshot for the bbolt file at `dbPath` (no trailer): 32 KiB
 * chunks with the bytes still to come, then a last message with remainingBytes 0 and the SHA-256.
 */
export async function* snapshotResponses(dbPath: string): AsyncGenerator<SnapshotResponse> {
  const { size } = await stat(dbPath);
  const hash = createHash('sha256');
  let sent = 0;
  if (size > 0) {
    const stream = createReadStream(dbPath, { highWaterMark: SNAPSHOT_CHUNK_SIZE, end: size - 1 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      sent += chunk.length;
      yield { remainingBytes: size - sent, blob: chunk };
    }
  }
  if (sent !== size) throw new SnapshotError('truncated', `file truncated while streaming (${sent} of ${size} bytes)`);
  yield { remainingBytes: 0, blob: hash.digest() };
}

/**
 * Stores a Maintenance.Snapshot stream as `etcdctl snapshot save` does: into `path`.part (mode
 * 0600), checks the trailer is there and, unlike etcdctl 3.4, that it matches; fsync, then rename.
 */
export async function saveSnapshotStream(blobs: AsyncIterable<Uint8Array>, path: string): Promise<HashCheck> {
  const part = `${path}.part`;
  const fh = await open(part, 'w', 0o600);
  try {
    let size = 0;
    for await (const blob of blobs) {
      await writeFully(fh, blob, { position: size });
      size += blob.length;
    }
    if (!hasSha256Trailer(size)) {
      throw new SnapshotError('missing-trailer', `missing sha256 trailer (received ${size} bytes)`);
    }
    await fh.sync();
    await fh.close();
    const check = await checkSnapshotHash(part);
    await rename(part, path);
    return check;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(part, { force: true });
    throw err;
  }
}

/** SHA-256 of the first `length` bytes, read through one reused buffer (no garbage per chunk). */
async function sha256Of(path: string, length: number): Promise<Buffer> {
  const hash = createHash('sha256');
  const buf = Buffer.alloc(Math.min(HASH_READ_BYTES, Math.max(length, 1)));
  const fh = await open(path, 'r');
  try {
    for (let at = 0; at < length; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - at), at);
      if (bytesRead === 0) throw new SnapshotError('truncated', `file truncated (short read at offset ${at})`);
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return hash.digest();
}

async function readRange(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    if (bytesRead !== length) throw new SnapshotError('truncated', `file truncated (short read at offset ${position})`);
    return buf;
  } finally {
    await fh.close();
  }
}
