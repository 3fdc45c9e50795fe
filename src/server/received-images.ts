// Store images that came with a leader's raft snapshot, kept as etcd keeps them until applied:
// `member/snap/<index>.snap.db` (the snapshot's index in 16 hex digits). An image is written under a
// temporary name, made durable and renamed, so one that exists is whole.
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ImageSaveObserver } from './snap-metrics';

const IMAGE_PATTERN = /^([0-9a-f]{16})\.snap\.db(\.tmp)?$/;

function snapDir(memberDir: string): string {
  return join(memberDir, 'snap');
}

export function receivedImagePath(memberDir: string, index: number): string {
  return join(snapDir(memberDir), `${index.toString(16).padStart(16, '0')}.snap.db`);
}

/** Writes the image of the snapshot at `index` from `body`; resolves once it is on disk whole. */
export async function saveReceivedImage(memberDir: string, index: number, body: AsyncIterable<Uint8Array>, observer: ImageSaveObserver): Promise<string> {
  const started = performance.now();
  const file = receivedImagePath(memberDir, index);
  const tmp = `${file}.tmp`;
  await mkdir(snapDir(memberDir), { recursive: true, mode: 0o700 });
  try {
    await pipeline(Readable.from(body, { objectMode: false }), createWriteStream(tmp, { mode: 0o600 }));
    const syncStarted = performance.now();
    const handle = await open(tmp, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
    observer.synced((performance.now() - syncStarted) / 1000);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  observer.saved((performance.now() - started) / 1000);
  return file;
}

/**
 * Deletes received images up to index `upTo` (those applied; all of them, by default, at start:
 * raft asks the leader again). A newer one may be waiting for raft to hand its snapshot over.
 */
export async function removeReceivedImages(memberDir: string, upTo = Number.MAX_SAFE_INTEGER): Promise<void> {
  let names: string[];
  try {
    names = await readdir(snapDir(memberDir));
  } catch {
    return;
  }
  for (const name of names) {
    const index = IMAGE_PATTERN.exec(name)?.[1];
    if (index !== undefined && parseInt(index, 16) <= upTo) await rm(join(snapDir(memberDir), name), { force: true });
  }
}
