// The database image that Maintenance.Snapshot sends, kept behind writeSnapshotImage so that the
// bbolt writer (src/snapshot) can take its place. Until then the image is cairn's own record file,
// written from one consistent read of every sub-database:
//   magic "cairn-snapshot\0v1" (16 bytes)
//   per record: u8 sub-database number (its position in the image's name table), u32 BE key
//               length, key, u32 BE value length, value
//   u8 0xff, then zero bytes up to a multiple of 512 (etcdctl requires that length)
// The name table is the sub-database names in the snapshot's order, written as the first records
// under number 0xfe: key = the name, value empty.
import { randomBytes } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendSnapshot, SubDatabaseName } from '../mvcc';

export interface SnapshotImage {
  path: string;
  size: number;
  release(): Promise<void>;
}

const magic = Buffer.from('cairn-snapshot\0v1'.slice(0, 16), 'latin1');
const nameTable = 0xfe;
const end = 0xff;
const flushBytes = 1 << 20;

function record(db: number, key: Buffer, value: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(db, 0);
  head.writeUInt32BE(key.length, 1);
  const mid = Buffer.alloc(4);
  mid.writeUInt32BE(value.length, 0);
  return Buffer.concat([head, key, mid, value]);
}

/** Writes the image of `snapshot` to a temporary file under tmpDir; closes the snapshot. */
export async function writeSnapshotImage(snapshot: BackendSnapshot, tmpDir: string): Promise<SnapshotImage> {
  const path = join(tmpDir, `snapshot-${randomBytes(6).toString('hex')}.part`);
  const file = await open(path, 'w', 0o600);
  let size = 0;
  let pending: Buffer[] = [magic];
  let pendingBytes = magic.length;
  const flush = async () => {
    const chunk = Buffer.concat(pending);
    await file.write(chunk, 0, chunk.length, size);
    size += chunk.length;
    pending = [];
    pendingBytes = 0;
  };
  const push = async (bytes: Buffer) => {
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes >= flushBytes) await flush();
  };
  try {
    const names = snapshot.databases;
    for (const name of names) await push(record(nameTable, Buffer.from(name), Buffer.alloc(0)));
    for (let db = 0; db < names.length; db++) {
      for (const { key, value } of snapshot.entries(names[db])) await push(record(db, key, value));
    }
    const tail = (pendingBytes + size + 1) % 512;
    await push(Buffer.concat([Buffer.from([end]), Buffer.alloc(tail === 0 ? 0 : 512 - tail)]));
    await flush();
    await file.sync();
    return { path, size, release: () => rm(path, { force: true }) };
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  } finally {
    await file.close();
    snapshot.close();
  }
}

export interface ImageRecord {
  db: SubDatabaseName;
  key: Buffer;
  value: Buffer;
}

/** Reads an image back (what a restore does): every record with its sub-database. */
export async function readSnapshotImage(path: string): Promise<ImageRecord[]> {
  const bytes = await readFile(path);
  if (!bytes.subarray(0, magic.length).equals(magic)) throw new Error(`etcdserver: ${path} is not a cairn snapshot image`);
  const names: SubDatabaseName[] = [];
  const records: ImageRecord[] = [];
  let at = magic.length;
  for (;;) {
    if (at >= bytes.length) throw new Error(`etcdserver: snapshot image ${path} is truncated`);
    const db = bytes.readUInt8(at);
    if (db === end) return records;
    const keyLength = bytes.readUInt32BE(at + 1);
    const key = bytes.subarray(at + 5, at + 5 + keyLength);
    const valueLength = bytes.readUInt32BE(at + 5 + keyLength);
    const value = bytes.subarray(at + 9 + keyLength, at + 9 + keyLength + valueLength);
    at += 9 + keyLength + valueLength;
    if (db === nameTable) names.push(key.toString() as SubDatabaseName);
    else records.push({ db: names[db], key: Buffer.from(key), value: Buffer.from(value) });
  }
}
