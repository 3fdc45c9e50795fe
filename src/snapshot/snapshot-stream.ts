// What a Maintenance.Snapshot handler needs in one call: the store written as a snapshot into a
// private temp file (the writer needs a seekable file for its meta pages), streamed as etcd's
// messages, and the file removed afterwards, also when the consumer stops early.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type SnapshotResponse, snapshotResponses } from './trailer';
import { type SnapshotSource, type WriteSnapshotOptions, writeSnapshot } from './writer';

export interface StreamSnapshotOptions extends WriteSnapshotOptions {
  /** Where the temp file goes, e.g. the data dir (same disk as the store). */
  tmpDir: string;
}

export async function* streamSnapshot(source: SnapshotSource, opts: StreamSnapshotOptions): AsyncGenerator<SnapshotResponse> {
  const dir = await mkdtemp(join(opts.tmpDir, 'snapshot-'));
  try {
    const path = join(dir, 'db');
    await writeSnapshot(source, path, opts);
    yield* snapshotResponses(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
