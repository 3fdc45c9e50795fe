import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { etcdserverpb } from '../../src/api';
import { LeaseExpiry } from '../../src/server/lease-expiry';
import { snapshotChunks } from '../../src/server/snapshot-stream';
import { fragmentResponse } from '../../src/server/services/watch-fragment';
import { removeDir, tempDataDir } from './harness';

test('lease expiry proposes a revoke only once a lease is past due, and keep-alive pushes it back', async () => {
  let now = 0;
  const revoked: bigint[] = [];
  const expiry = new LeaseExpiry({ now: () => now, revoke: async (id) => { revoked.push(id); } });
  expiry.track(1n, 10);
  expiry.track(2n, 5);
  now = 4_000;
  assert.equal(expiry.remainingSeconds(2n), 1);
  assert.equal(expiry.renew(2n, 5), true);
  now = 8_000;
  expiry.revokeExpired();
  assert.deepEqual(revoked, []);
  now = 9_500;
  expiry.revokeExpired();
  assert.deepEqual(revoked, [2n]);
  now = 10_000;
  expiry.revokeExpired();
  assert.deepEqual(revoked, [2n, 1n]);
  assert.equal(expiry.renew(1n, 10), false, 'an expired lease cannot be kept alive');
  expiry.revokeExpired();
  assert.deepEqual(revoked, [2n, 1n], 'a revoke in flight is not proposed twice');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(expiry.remainingSeconds(1n), undefined);
});

test('snapshot stream: 32 KiB chunks with remaining bytes, then the SHA-256 of the image', async () => {
  const dir = tempDataDir();
  try {
    const image = Buffer.alloc(3 * 32 * 1024 + 512, 7);
    const file = join(dir, 'image');
    writeFileSync(file, image);
    const chunks = [];
    for await (const chunk of snapshotChunks(file, image.length)) chunks.push(chunk);
    assert.deepEqual(chunks.map((c) => c.blob.length), [32768, 32768, 32768, 512, 32]);
    assert.deepEqual(chunks.map((c) => c.remainingBytes), [image.length - 32768, image.length - 65536, 512, 0, 0]);
    assert.deepEqual(chunks[4].blob, createHash('sha256').update(image).digest());
    await assert.rejects(async () => {
      for await (const _ of snapshotChunks(file, 1000)) void _;
    }, /not a multiple of 512/);
  } finally {
    removeDir(dir);
  }
});

test('a large watch response is fragmented; one event or a small response is not', () => {
  const event = (i: number) => ({ type: 0, kv: { key: Buffer.from(`k${i}`), createRevision: 1n, modRevision: 1n, version: 1n, value: Buffer.alloc(400), lease: 0n }, prevKv: undefined });
  const response = etcdserverpb.WatchResponse.fromPartial({ watchId: 3n, events: Array.from({ length: 10 }, (_, i) => event(i)) });
  const parts = fragmentResponse(response, 1000);
  assert.ok(parts.length > 1);
  assert.deepEqual(parts.map((p) => p.fragment), [...parts.slice(1).map(() => true), false]);
  assert.equal(parts.flatMap((p) => p.events).length, 10);
  assert.equal(fragmentResponse(response, 1 << 20).length, 1);
  assert.equal(fragmentResponse({ ...response, events: [event(0)] }, 10).length, 1);
});
