// Writes a bbolt file from buckets whose keys arrive in ascending order, page by page.
//
// Layout: pages 0 and 1 are the metas, page 2 an empty freelist, then each bucket's pages in
// the order the buckets arrive (leaves left to right, each branch page right after the pages it
// points to), and last the root bucket's page(s), whose leaf holds one entry per bucket. The metas
// are written at the end, when the root page id and the high water mark are known, so the output
// must be a file (a positional write goes back to offset 0), not a pipe.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { SnapshotError } from './errors';
import { BUCKET_LEAF_FLAG, DEFAULT_PAGE_SIZE, FREELIST_PAGE, writePageHeader } from './layout';
import { encodeMetaPage, isValidPageSize } from './meta';
import { PageSink } from './page-sink';
import { TreeWriter } from './tree-writer';

export type KeyValuePair = [key: Uint8Array, value: Uint8Array];

export interface SnapshotBucket {
  name: string;
  /** The bucket's pairs in ascending byte order of key. */
  entries: AsyncIterable<KeyValuePair> | Iterable<KeyValuePair>;
}

/** The buckets of a store, each consistent at the same point (one read transaction). */
export type SnapshotSource = AsyncIterable<SnapshotBucket> | Iterable<SnapshotBucket>;

export interface WriteSnapshotOptions {
  /** Page size in bytes (a power of two from 512 to 65536); etcd uses the OS page size, 4096. */
  pageSize?: number;
  /** Transaction id of meta page 0; meta page 1 gets txid - 1, as bbolt's Tx.WriteTo does. */
  txid?: bigint;
}

export interface WriteSnapshotResult {
  /** Bytes of the bbolt file: high water mark x page size. */
  size: number;
  highWater: number;
  buckets: number;
  keys: number;
}

const FREELIST_PGID = 2;
const FIRST_DATA_PGID = 3;

/**
 * Writes the bbolt file for `source` to `target`: a path (written as `<path>.part` with mode 0600,
 * fsynced, then renamed, so a failed or interrupted write leaves no file behind), or an open file
 * handle written from offset 0.
 */
export async function writeSnapshot(
  source: SnapshotSource,
  target: string | FileHandle,
  opts: WriteSnapshotOptions = {},
): Promise<WriteSnapshotResult> {
  const settings = checkOptions(opts);
  if (typeof target !== 'string') return writeToHandle(source, target, settings);
  const part = `${target}.part`;
  const fh = await open(part, 'w', 0o600);
  try {
    const result = await writeToHandle(source, fh, settings);
    await fh.sync();
    await fh.close();
    await rename(part, target);
    return result;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(part, { force: true });
    throw err;
  }
}

function checkOptions(opts: WriteSnapshotOptions): Required<WriteSnapshotOptions> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!isValidPageSize(pageSize)) throw new SnapshotError('bad-input', `invalid page size ${pageSize}`);
  const txid = opts.txid ?? 1n;
  if (txid < 1n) throw new SnapshotError('bad-input', `txid must be at least 1, got ${txid}`);
  return { pageSize, txid };
}

async function writeToHandle(
  source: SnapshotSource,
  fh: FileHandle,
  { pageSize, txid }: Required<WriteSnapshotOptions>,
): Promise<WriteSnapshotResult> {
  const sink = new PageSink(fh, pageSize, FIRST_DATA_PGID);
  const freelist = Buffer.alloc(pageSize);
  writePageHeader(freelist, { id: FREELIST_PGID, flags: FREELIST_PAGE, count: 0, overflow: 0 });
  await sink.writeAt(FREELIST_PGID, freelist);

  const bucketValues = new Map<string, { name: Buffer; value: Buffer }>();
  let keys = 0;
  for await (const bucket of source) {
    const name = Buffer.from(bucket.name, 'utf8');
    const id = name.toString('hex');
    if (name.length === 0) throw new SnapshotError('bad-input', 'empty bucket name');
    if (bucketValues.has(id)) throw new SnapshotError('bad-input', `duplicate bucket ${JSON.stringify(bucket.name)}`);
    const tree = new TreeWriter(sink, pageSize, { allowInline: true, bucketName: bucket.name });
    await addAll(tree, sink, bucket.entries);
    bucketValues.set(id, { name, value: tree.finish() });
    keys += tree.keyCount;
  }

  const root = new TreeWriter(sink, pageSize, { allowInline: false, bucketName: '' });
  const sorted = [...bucketValues.values()].sort((a, b) => Buffer.compare(a.name, b.name));
  for (const { name, value } of sorted) root.add(BUCKET_LEAF_FLAG, name, value);
  const rootValue = root.finish();
  await sink.flush();

  const highWater = sink.highWater;
  const meta = {
    pageSize,
    flags: 0,
    rootPgid: Number(rootValue.readBigUInt64LE(0)),
    rootSequence: 0n,
    freelistPgid: FREELIST_PGID,
    highWater,
  };
  await sink.writeAt(0, encodeMetaPage({ ...meta, txid }, 0));
  await sink.writeAt(1, encodeMetaPage({ ...meta, txid: txid - 1n }, 1));
  await fh.truncate(highWater * pageSize);
  return { size: highWater * pageSize, highWater, buckets: sorted.length, keys };
}

/** Feeds a bucket's pairs to its tree, writing out pages whenever a batch is full. */
async function addAll(tree: TreeWriter, sink: PageSink, entries: SnapshotBucket['entries']): Promise<void> {
  if (Symbol.iterator in entries) {
    // A plain loop for a synchronous source: for-await would cost a promise per pair.
    for (const [key, value] of entries) {
      tree.add(0, key, value);
      if (sink.full) await sink.flush();
    }
    return;
  }
  for await (const [key, value] of entries) {
    tree.add(0, key, value);
    if (sink.full) await sink.flush();
  }
}
