import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status as Status } from '@grpc/grpc-js';
import { etcdserverpb } from '../../src/api';
import { Running, api, removeDir, startCore, tempDataDir } from './harness';

describe('Lease service', () => {
  let dir: string;
  let running: Running;
  let c: ReturnType<typeof api>;

  before(async () => {
    dir = tempDataDir();
    running = await startCore(dir);
    c = api(running.clients);
  });
  after(async () => {
    await running.stop();
    removeDir(dir);
  });

  test('grant raises a TTL below the minimum; a chosen ID is kept; a taken ID or huge TTL is refused', async () => {
    const small = await c.grant(1n);
    assert.equal(small.TTL, 2n, 'etcd minimum for 100ms heartbeats and a 1s election timeout');
    assert.ok(small.ID > 0n);
    const chosen = await c.grant(60n, 0x1234n);
    assert.equal(chosen.ID, 0x1234n);
    await assert.rejects(c.grant(60n, 0x1234n), { code: Status.FAILED_PRECONDITION, details: 'etcdserver: lease already exists' });
    await assert.rejects(c.grant(9_000_000_001n), { code: Status.OUT_OF_RANGE, details: 'etcdserver: too large lease TTL' });
    const listed = await c.leases();
    assert.ok(listed.leases.some((l) => l.ID === 0x1234n));
  });

  test('time-to-live lists attached keys; revoke deletes them; unknown leases answer as etcd', async () => {
    const lease = await c.grant(60n);
    await c.put('lk/1', 'a', { lease: lease.ID });
    await c.put('lk/2', 'b', { lease: lease.ID });
    const ttl = await c.timeToLive(lease.ID, true);
    assert.equal(ttl.grantedTTL, 60n);
    assert.ok(ttl.TTL > 0n && ttl.TTL <= 60n);
    assert.deepEqual(ttl.keys.map((k) => k.toString()), ['lk/1', 'lk/2']);
    await c.revoke(lease.ID);
    assert.equal((await c.range('lk/', { rangeEnd: Buffer.from('lk0') })).count, 0n);
    assert.equal((await c.timeToLive(lease.ID)).TTL, -1n);
    await assert.rejects(c.revoke(lease.ID), { code: Status.NOT_FOUND, details: 'etcdserver: requested lease not found' });
  });

  test('keep-alive answers the TTL for a live lease and 0 for one that does not exist', async () => {
    const lease = await c.grant(30n);
    const stream = running.clients.lease.leaseKeepAlive();
    const responses: etcdserverpb.LeaseKeepAliveResponse[] = [];
    const two = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: etcdserverpb.LeaseKeepAliveResponse) => {
        responses.push(r);
        if (responses.length === 2) resolve();
      });
      stream.on('error', reject);
    });
    stream.write({ ID: lease.ID });
    stream.write({ ID: 999n });
    await two;
    stream.end();
    assert.deepEqual(responses.map((r) => [r.ID, r.TTL]), [[lease.ID, 30n], [999n, 0n]]);
  });

  test('a keep-alive stream the client closes at once still answers what it was sent, then ends', async () => {
    const lease = await c.grant(30n);
    const stream = running.clients.lease.leaseKeepAlive();
    const responses: etcdserverpb.LeaseKeepAliveResponse[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: etcdserverpb.LeaseKeepAliveResponse) => responses.push(r));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    stream.write({ ID: lease.ID });
    stream.write({ ID: lease.ID });
    stream.write({ ID: 999n });
    stream.end();
    await ended;
    assert.deepEqual(responses.map((r) => [r.ID, r.TTL]), [[lease.ID, 30n], [lease.ID, 30n], [999n, 0n]]);
  });

  test('an expired lease is revoked through a proposal and its keys go', async () => {
    const lease = await c.grant(1n);
    await c.put('exp', 'v', { lease: lease.ID });
    // The minimum TTL is 2 s; the expiry timer checks twice a second. Bounded wait: 40 x 250 ms.
    for (let i = 0; i < 40 && (await c.range('exp')).count > 0n; i++) await new Promise((r) => setTimeout(r, 250));
    assert.equal((await c.range('exp')).count, 0n);
    assert.equal((await c.timeToLive(lease.ID)).TTL, -1n);
  });
});

test('leases survive a restart with their keys attached', async () => {
  const dir = tempDataDir();
  try {
    let running = await startCore(dir);
    let c = api(running.clients);
    const lease = await c.grant(100n);
    await c.put('kept', 'v', { lease: lease.ID });
    await running.stop();
    running = await startCore(dir);
    c = api(running.clients);
    const ttl = await c.timeToLive(lease.ID, true);
    assert.equal(ttl.grantedTTL, 100n);
    assert.deepEqual(ttl.keys.map((k) => k.toString()), ['kept']);
    await c.revoke(lease.ID);
    assert.equal((await c.range('kept')).count, 0n);
    await running.stop();
  } finally {
    removeDir(dir);
  }
});

test('a key moved to another lease, or off leases, is detached from the old one, before and after a restart', async () => {
  const dir = tempDataDir();
  try {
    let running = await startCore(dir);
    let c = api(running.clients);
    const first = await c.grant(100n);
    const second = await c.grant(100n);
    await c.put('moved', '1', { lease: first.ID });
    await c.put('moved', '2', { lease: second.ID });
    await c.put('freed', '1', { lease: first.ID });
    await c.put('freed', '2');
    await c.put('gone', '1', { lease: second.ID });
    await c.del('gone');
    await c.put('gone', '2');
    assert.deepEqual((await c.timeToLive(first.ID, true)).keys.map((k) => k.toString()), []);
    assert.deepEqual((await c.timeToLive(second.ID, true)).keys.map((k) => k.toString()), ['moved']);
    await running.stop();
    running = await startCore(dir);
    c = api(running.clients);
    assert.deepEqual((await c.timeToLive(second.ID, true)).keys.map((k) => k.toString()), ['moved']);
    await c.revoke(first.ID);
    assert.equal((await c.range('moved')).kvs[0].value.toString(), '2');
    assert.equal((await c.range('freed')).kvs[0].value.toString(), '2');
    await c.revoke(second.ID);
    assert.equal((await c.range('moved')).count, 0n);
    assert.equal((await c.range('gone')).kvs[0].value.toString(), '2');
    await running.stop();
  } finally {
    removeDir(dir);
  }
});
