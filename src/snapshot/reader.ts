// Opens a bbolt file (a snapshot, with or without etcd's sha256 trailer, or a copied db file),
// picks the meta bbolt would use, and streams its buckets and their pairs in key order while
// checking the file as it goes. Memory: one node per tree level, a read-ahead window and two
// bitsets of one bit per page.
import { SnapshotError, hexKey } from './errors';
import { BUCKET_HEADER_SIZE, BUCKET_LEAF_FLAG, PAGE_HEADER_SIZE, META_SIZE, readPgid } from './layout';
import { type Meta, decodeMetaPage, isValidPageSize, peekPageSize } from './meta';
import { PageFile } from './page-file';
import { PageStore } from './page-store';
import { type BucketRoot, TreeWalker } from './tree-walker';
import type { SnapshotBucket } from './writer';

export interface ReadBucket extends SnapshotBucket {
  /** The bucket name's bytes as stored (`name` is their UTF-8 reading). */
  nameBytes: Buffer;
  /** Pairs in key order; each key and value is a fresh copy the consumer may keep. */
  entries: AsyncIterable<[key: Buffer, value: Buffer]>;
}

export interface SnapshotInfo {
  meta: Meta;
  /** Which meta page (0 or 1) is in use: the valid one with the higher txid. */
  metaPage: number;
  /** Bytes of the bbolt pages: high water mark x page size (etcdctl's totalSize). */
  dbSize: number;
  /** Bytes of the whole file, trailer included. */
  fileSize: number;
}

const META_BYTES = PAGE_HEADER_SIZE + META_SIZE;

export class SnapshotReader {
  readonly info: SnapshotInfo;
  private readonly file: PageFile;
  private started = false;

  private constructor(file: PageFile, info: SnapshotInfo) {
    this.file = file;
    this.info = info;
  }

  static async open(path: string): Promise<SnapshotReader> {
    const file = await PageFile.open(path);
    try {
      const info = await readInfo(file);
      file.setLimit(info.dbSize);
      return new SnapshotReader(file, info);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /**
   * The buckets in name order. Each bucket's entries must be read (or abandoned) before asking for
   * the next bucket; abandoned entries are still walked and checked. Once the last bucket is done
   * the whole file has been checked. Can be called once per reader.
   */
  async *buckets(): AsyncGenerator<ReadBucket> {
    if (this.started) throw new Error('snapshot reader: buckets() can be iterated only once');
    this.started = true;
    const { meta } = this.info;
    const pages = new PageStore(this.file, meta.pageSize, meta.highWater);
    if (meta.freelistPgid !== null) await pages.loadFreelist(meta.freelistPgid);
    const root = new TreeWalker(pages, { pgid: meta.rootPgid }, 'the root bucket');
    for (let e = await root.next(); e !== null; e = await root.next()) {
      const name = e.key.toString('utf8');
      if ((e.flags & BUCKET_LEAF_FLAG) === 0) {
        throw new SnapshotError('bad-bucket', `top-level key ${hexKey(e.key)} is not a bucket`);
      }
      const label = `bucket ${JSON.stringify(name)}`;
      const walker = new TreeWalker(pages, bucketRoot(e.value, label), label);
      yield { name, nameBytes: Buffer.from(e.key), entries: entriesOf(walker, label) };
      while ((await nextPair(walker, label)) !== null) {
        // drain what the consumer left, so that its pages are checked too
      }
    }
    pages.checkAccounted();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** Opens a snapshot file for reading; the caller closes it. */
export function openSnapshot(path: string): Promise<SnapshotReader> {
  return SnapshotReader.open(path);
}

function bucketRoot(value: Buffer, label: string): BucketRoot {
  if (value.length < BUCKET_HEADER_SIZE) throw new SnapshotError('bad-bucket', `${label}: value of ${value.length} bytes is too short for a bucket header`);
  const pgid = readPgid(value, 0);
  if (pgid !== 0) return { pgid };
  if (value.length < BUCKET_HEADER_SIZE + PAGE_HEADER_SIZE) throw new SnapshotError('bad-bucket', `${label}: inline bucket without a page`);
  return { inline: value.subarray(BUCKET_HEADER_SIZE) };
}

async function nextPair(walker: TreeWalker, label: string): Promise<[Buffer, Buffer] | null> {
  const e = await walker.next();
  if (e === null) return null;
  if ((e.flags & BUCKET_LEAF_FLAG) !== 0) {
    throw new SnapshotError('bad-bucket', `${label}: nested bucket ${hexKey(e.key)} is not supported (etcd never writes one)`);
  }
  return [Buffer.from(e.key), Buffer.from(e.value)];
}

/** An iterable over the walker that a consumer may leave early without closing the walk. */
function entriesOf(walker: TreeWalker, label: string): AsyncIterable<[Buffer, Buffer]> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<[Buffer, Buffer]>> => {
        const pair = await nextPair(walker, label);
        return pair === null ? { done: true, value: undefined } : { done: false, value: pair };
      },
      return: async (): Promise<IteratorResult<[Buffer, Buffer]>> => ({ done: true, value: undefined }),
    }),
  };
}

async function readInfo(file: PageFile): Promise<SnapshotInfo> {
  if (file.size < META_BYTES) throw new SnapshotError('truncated', `file truncated (${file.size} bytes is less than one meta page)`);
  const page0 = await file.read(0, META_BYTES);
  const candidates: { meta: Meta; page: number }[] = [];
  let firstError: unknown = null;
  try {
    candidates.push({ meta: decodeMetaPage(page0, 0), page: 0 });
  } catch (err) {
    firstError = err;
  }
  // Meta page 1 sits one page in; if meta 0 is damaged its page size field may be too.
  const sizes = new Set<number>();
  if (candidates.length > 0) sizes.add(candidates[0].meta.pageSize);
  if (isValidPageSize(peekPageSize(page0))) sizes.add(peekPageSize(page0));
  for (let s = 512; s <= 65536; s *= 2) sizes.add(s);
  for (const size of sizes) {
    if (file.size < size + META_BYTES) continue;
    try {
      const meta = decodeMetaPage(await file.read(size, META_BYTES), 1);
      if (meta.pageSize === size) {
        candidates.push({ meta, page: 1 });
        break;
      }
    } catch {
      // not a valid meta at this page size: try the next one
    }
  }
  if (candidates.length === 0) throw firstError;
  candidates.sort((a, b) => (a.meta.txid > b.meta.txid ? -1 : a.meta.txid < b.meta.txid ? 1 : a.page - b.page));
  const { meta, page } = candidates[0];
  const dbSize = meta.highWater * meta.pageSize;
  if (file.size < dbSize) {
    throw new SnapshotError(
      'truncated',
      `file truncated (${file.size} bytes, but the high water mark of ${meta.highWater} pages of ${meta.pageSize} bytes needs ${dbSize})`,
    );
  }
  return { meta, metaPage: page, dbSize, fileSize: file.size };
}
