// The etcd encodings, checked against bytes taken from a snapshot of real etcd 3.4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Crc32c } from '../../src/checksum';
import {
  SNAPSHOT_CHUNK_SIZE,
  decodeCompactRevision,
  decodeKeyValue,
  decodeLease,
  decodeMember,
  decodeRevisionKey,
  encodeCompactRevision,
  encodeKeyValue,
  encodeLease,
  encodeMember,
  encodeRevisionKey,
  etcdSnapshotSource,
  hasSha256Trailer,
  leaseKey,
  memberKey,
  parseMemberKey,
  saveSnapshotStream,
  snapshotResponses,
  snapshotStatus,
  streamSnapshot,
  writeSnapshot,
} from '../../src/snapshot';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('revision keys: 8-byte main, "_", 8-byte sub, "t" for a tombstone', () => {
  assert.equal(hex(encodeRevisionKey({ main: 3, sub: 0 })), '00000000000000035f0000000000000000');
  assert.equal(hex(encodeRevisionKey({ main: 5, sub: 1 }, { tombstone: true })), '00000000000000055f000000000000000174');
  assert.deepEqual(decodeRevisionKey(Buffer.from('00000000000000055f000000000000000174', 'hex')), { main: 5, sub: 1, tombstone: true });
  assert.throws(() => decodeRevisionKey(Buffer.from('0000000000000005', 'hex')), /^SnapshotError: snapshot: malformed revision key 0000000000000005$/);
  assert.throws(() => encodeRevisionKey({ main: -1, sub: 0 }), /not a non-negative safe integer/);
  assert.equal(hex(encodeCompactRevision(3)), '00000000000000035f0000000000000000');
  assert.equal(decodeCompactRevision(encodeCompactRevision(77)), 77);
});

test('mvccpb.KeyValue as etcd stores it', () => {
  // From etcd 3.4: `put a 1; put a 2` -> key "a", create 2, mod 3, version 2, value "2".
  const stored = Buffer.from('0a01611002180320022a0132', 'hex');
  const kv = decodeKeyValue(stored);
  assert.deepEqual(
    { ...kv, key: Buffer.from(kv.key).toString(), value: Buffer.from(kv.value).toString() },
    { key: 'a', createRevision: 2, modRevision: 3, version: 2, value: '2', lease: 0n },
  );
  assert.equal(hex(encodeKeyValue(kv)), hex(stored));
  // A tombstone carries only the key; a leased key carries the lease ID (beyond 2^53 here).
  assert.equal(hex(encodeKeyValue({ key: Buffer.from('b'), createRevision: 0, modRevision: 0, version: 0, value: new Uint8Array(0), lease: 0n })), '0a0162');
  const leased = Buffer.from('0a016c1006180620012a0176308ac296bc84c2e88e79', 'hex');
  assert.equal(decodeKeyValue(leased).lease, 0x791da2104785a10an);
  assert.equal(hex(encodeKeyValue(decodeKeyValue(leased))), hex(leased));
  assert.throws(() => decodeKeyValue(Buffer.from('0a05', 'hex')), /^SnapshotError: snapshot: cannot decode mvccpb.KeyValue/);
});

test('leasepb.Lease and lease keys as etcd stores them', () => {
  const stored = Buffer.from('088ac296bc84c2e88e7910d804', 'hex');
  assert.deepEqual(decodeLease(stored), { id: 0x791da2104785a10an, ttl: 600, remainingTtl: 0 });
  assert.equal(hex(encodeLease(decodeLease(stored))), hex(stored));
  assert.equal(hex(leaseKey(0x791da2104785a10an)), '791da2104785a10a');
});

test('members as etcd stores them: hex ID key, Go JSON value', () => {
  const json = '{"id":6744486224054581533,"peerURLs":["http://127.0.0.1:42659"],"name":"default","clientURLs":["http://127.0.0.1:44419"]}';
  const member = decodeMember(Buffer.from(json));
  assert.equal(member.id, 6744486224054581533n);
  assert.equal(encodeMember(member).toString(), json);
  assert.equal(memberKey(member.id).toString(), '5d993a7ca949f91d');
  assert.equal(parseMemberKey(Buffer.from('5d993a7ca949f91d')), member.id);
  const learner = { id: 1n, name: '', peerURLs: ['http://a?x=1&y=<2>'], clientURLs: [], isLearner: true };
  assert.equal(encodeMember(learner).toString(), '{"id":1,"peerURLs":["http://a?x=1\\u0026y=\\u003c2\\u003e"],"isLearner":true}');
  assert.deepEqual(decodeMember(encodeMember(learner)), learner);
  assert.throws(() => decodeMember(Buffer.from('{')), /^SnapshotError: snapshot: malformed member JSON/);
});

test('CRC-32C check value', () => {
  assert.equal(new Crc32c().update(Buffer.from('1234')).update(Buffer.from('56789')).digest(), 0xe3069283);
});

test('Maintenance.Snapshot messages save into a file with a verified trailer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-stream-'));
  try {
    const db = join(dir, 'db');
    const kvs = Array.from({ length: 500 }, (_, i): [Buffer, Uint8Array] => [
      encodeRevisionKey({ main: i + 2, sub: 0 }),
      encodeKeyValue({ key: Buffer.from(`k${i}`), createRevision: i + 2, modRevision: i + 2, version: 1, value: Buffer.alloc(100, i), lease: 0n }),
    ]);
    const written = await writeSnapshot(etcdSnapshotSource({ kvs, consistentIndex: 9, members: [] }), db);
    const messages = [];
    for await (const m of snapshotResponses(db)) messages.push(m);
    assert.ok(messages.length > 2);
    messages.slice(0, -1).forEach((m, i) => {
      assert.equal(m.blob.length, Math.min(SNAPSHOT_CHUNK_SIZE, written.size - i * SNAPSHOT_CHUNK_SIZE));
      assert.equal(m.remainingBytes, written.size - (i * SNAPSHOT_CHUNK_SIZE + m.blob.length));
    });
    assert.deepEqual({ ...messages[messages.length - 1], blob: messages[messages.length - 1].blob.length }, { remainingBytes: 0, blob: 32 });

    const saved = join(dir, 'saved.db');
    const check = await saveSnapshotStream((async function* () { for (const m of messages) yield m.blob; })(), saved);
    assert.deepEqual(check, { dbSize: written.size, hasTrailer: true, verified: true });
    assert.ok(hasSha256Trailer((await stat(saved)).size));
    assert.equal((await stat(saved)).mode & 0o777, 0o600);
    assert.equal((await snapshotStatus(saved)).revision, 501);

    const cut = join(dir, 'cut.db');
    await assert.rejects(
      saveSnapshotStream((async function* () { for (const m of messages.slice(0, -1)) yield m.blob; })(), cut),
      /^SnapshotError: snapshot: missing sha256 trailer/,
    );
    assert.deepEqual((await readdir(dir)).sort(), ['db', 'saved.db'], 'no partial file is left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('streamSnapshot writes through a private temp file and removes it, also when stopped early', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-tmp-'));
  try {
    const source = etcdSnapshotSource({ kvs: [], consistentIndex: 1, members: [] });
    const blobs: Buffer[] = [];
    for await (const m of streamSnapshot(source, { tmpDir: dir })) blobs.push(m.blob);
    const saved = join(dir, 'saved.db');
    await saveSnapshotStream((async function* () { yield* blobs; })(), saved);
    assert.equal((await snapshotStatus(saved)).totalKey, 1); // meta's consistent_index
    assert.deepEqual(await readdir(dir), ['saved.db']);
    for await (const _ of streamSnapshot(source, { tmpDir: dir })) break;
    assert.deepEqual(await readdir(dir), ['saved.db']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
