// The byte stream of Maintenance.Snapshot as etcd sends it: the image in 32 KiB chunks, each with
// the bytes still to come, then one last message holding the SHA-256 of the whole image. etcdctl
// checks that (size - 32) is a multiple of 512 and that the digest matches, so the image size must
// be a multiple of 512 (a bbolt file is whole pages).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export const snapshotChunkBytes = 32 * 1024;

export interface SnapshotChunk {
  blob: Buffer;
  remainingBytes: number;
}

export async function* snapshotChunks(path: string, size: number): AsyncGenerator<SnapshotChunk> {
  if (size % 512 !== 0) throw new Error(`etcdserver: snapshot image of ${size} bytes is not a multiple of 512`);
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    let sent = 0;
    while (sent < size) {
      const blob = Buffer.alloc(Math.min(snapshotChunkBytes, size - sent));
      const { bytesRead } = await file.read(blob, 0, blob.length, sent);
      if (bytesRead !== blob.length) throw new Error(`etcdserver: snapshot image ${path} ended early at ${sent + bytesRead} of ${size} bytes`);
      sent += bytesRead;
      hash.update(blob);
      yield { blob, remainingBytes: size - sent };
    }
  } finally {
    await file.close();
  }
  yield { blob: hash.digest(), remainingBytes: 0 };
}
