// Child process of large.test.ts, so that its peak RSS measures one snapshot operation alone.
// Modes: `baseline` (load the module, nothing else), `write DIR N VALUE_SIZE` (stream N keys into
// DIR/large.db plus trailer), `read DIR N VALUE_SIZE` (read the file back, checking every pair
// against the generator, then compute the status). Prints one JSON line. Does nothing unless
// CAIRN_SNAPSHOT_CHILD=1, because the test runner also loads every file under test/.
import { join } from 'node:path';
import {
  type KeyValuePair,
  appendSha256Trailer,
  encodeKeyValue,
  encodeRevisionKey,
  etcdSnapshotSource,
  openSnapshot,
  snapshotStatus,
  writeSnapshot,
} from '../../src/snapshot';

/**
 * The key bucket of a store where key i was put once, at revision i + 2. The pairs are encoded
 * into two reused buffers (the writer copies what it is given), so that the source itself makes
 * no garbage and the peak RSS shows the writer's and the reader's own memory.
 */
function* keyBucket(n: number, valueSize: number): Generator<KeyValuePair> {
  const revKey = encodeRevisionKey({ main: 0, sub: 0 });
  const kv = Buffer.alloc(valueSize + 64);
  for (let i = 0; i < n; i++) {
    revKey.writeBigUInt64BE(BigInt(i + 2), 0); // the main revision; '_' and sub 0 stay
    yield [revKey, kv.subarray(0, encodePut(kv, i, valueSize))];
  }
}

/** mvccpb.KeyValue of key i's single put, written by hand into `out`; returns its length. */
function encodePut(out: Buffer, i: number, valueSize: number): number {
  let at = 0;
  const varint = (v: number): void => {
    for (; v >= 0x80; v = Math.floor(v / 128)) out[at++] = (v % 128) | 0x80;
    out[at++] = v;
  };
  const key = `key/${String(i).padStart(8, '0')}`;
  out[at++] = 0x0a; // key
  varint(key.length);
  at += out.write(key, at);
  for (const tag of [0x10, 0x18]) {
    out[at++] = tag; // create_revision, mod_revision
    varint(i + 2);
  }
  out[at++] = 0x20; // version
  varint(1);
  out[at++] = 0x2a; // value
  varint(valueSize);
  out.fill(i % 251, at, at + valueSize);
  out.write(`value-${i}`, at);
  return at + valueSize;
}

/** The hand encoding above must be what encodeKeyValue gives. */
function checkEncoding(n: number, valueSize: number): number {
  let bad = 0;
  const buf = Buffer.alloc(valueSize + 64);
  for (const i of [0, 1, 126, 127, n - 1]) {
    const value = Buffer.alloc(valueSize, i % 251);
    value.write(`value-${i}`);
    const want = encodeKeyValue({ key: Buffer.from(`key/${String(i).padStart(8, '0')}`), createRevision: i + 2, modRevision: i + 2, version: 1, value, lease: 0n });
    if (Buffer.compare(want, buf.subarray(0, encodePut(buf, i, valueSize))) !== 0) bad++;
  }
  return bad;
}

async function write(path: string, n: number, valueSize: number): Promise<Record<string, number>> {
  const result = await writeSnapshot(
    etcdSnapshotSource({ kvs: keyBucket(n, valueSize), consistentIndex: n, members: [], clusterVersion: '3.4.0', auth: { revision: 1 } }),
    path,
  );
  await appendSha256Trailer(path);
  return { size: result.size, keys: result.keys };
}

async function read(path: string, n: number, valueSize: number): Promise<Record<string, number>> {
  const reader = await openSnapshot(path);
  let keys = 0;
  let mismatches = 0;
  try {
    for await (const bucket of reader.buckets()) {
      const expected = bucket.name === 'key' ? keyBucket(n, valueSize) : null;
      for await (const [k, v] of bucket.entries) {
        keys++;
        if (expected === null) continue;
        const want = expected.next();
        if (want.done || Buffer.compare(want.value[0], k) !== 0 || Buffer.compare(want.value[1], v) !== 0) mismatches++;
      }
      if (expected !== null && !expected.next().done) mismatches++;
    }
  } finally {
    await reader.close();
  }
  const status = await snapshotStatus(path);
  mismatches += checkEncoding(n, valueSize);
  return { keys, mismatches, revision: status.revision, totalKey: status.totalKey, totalSize: status.totalSize, hash: status.hash };
}

async function main(): Promise<void> {
  const [mode, dir, count, size] = process.argv.slice(2);
  const path = join(dir ?? '.', 'large.db');
  const n = Number(count);
  const valueSize = Number(size);
  const started = process.hrtime.bigint();
  const out = mode === 'write' ? await write(path, n, valueSize) : mode === 'read' ? await read(path, n, valueSize) : {};
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  process.stdout.write(`${JSON.stringify({ mode, ms, maxRssKiB: process.resourceUsage().maxRSS, ...out })}\n`);
}

if (process.env.CAIRN_SNAPSHOT_CHILD === '1') {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
