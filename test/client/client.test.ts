import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { etcdserverpb, prefixRange, EtcdError } from '../../src/api';
import { EtcdClient, parseEndpoints, EndpointError } from '../../src/client';
import { startRealEtcd, hasRealEtcd, type RealEtcd } from '../support/real-etcd';
import { freePort } from '../support/ports';

const skip = hasRealEtcd() ? false : 'Debian etcd-server is not installed';
let etcd: RealEtcd;

before(async () => { if (!skip) etcd = await startRealEtcd(); });
after(async () => { await etcd?.stop(); });

test('endpoint parsing accepts etcdctl forms and names what is wrong', () => {
  const eps = parseEndpoints('127.0.0.1:2379,https://[::1]:2380, http://localhost:1/');
  assert.deepEqual(eps.map((e) => [e.host, e.port, e.secure]), [['127.0.0.1', 2379, undefined], ['::1', 2380, true], ['localhost', 1, false]]);
  assert.throws(() => parseEndpoints('ftp://x:1'), EndpointError);
  assert.throws(() => parseEndpoints('nohost'), /want host:port/);
  assert.throws(() => parseEndpoints(''), /no endpoints/);
});

test('put and get against real etcd through the typed client', { skip }, async () => {
  const client = new EtcdClient({ endpoints: etcd.endpoint });
  try {
    await client.unary(etcdserverpb.KVService.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.from('/c/a'), value: Buffer.from('1') }));
    await client.unary(etcdserverpb.KVService.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.from('/c/b'), value: Buffer.from('2') }));
    const range = prefixRange('/c/');
    const res = await client.unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial(range), { idempotent: true });
    assert.deepEqual(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]), [['/c/a', '1'], ['/c/b', '2']]);
    assert.equal(res.count, 2n);
  } finally {
    client.close();
  }
});

test('a dead first endpoint fails over to the next', { skip }, async () => {
  const dead = await freePort();
  const client = new EtcdClient({ endpoints: [`127.0.0.1:${dead}`, etcd.endpoint], dialTimeoutMs: 500 });
  try {
    const res = await client.unary(etcdserverpb.MaintenanceService.status, etcdserverpb.StatusRequest.fromPartial({}), { idempotent: true });
    assert.match(res.version, /^3\.4\./);
    assert.equal(client.currentEndpoint.text, etcd.endpoint);
  } finally {
    client.close();
  }
});

test('etcd errors come back as EtcdError with etcd\'s code and text', { skip }, async () => {
  const client = new EtcdClient({ endpoints: etcd.endpoint });
  try {
    await assert.rejects(
      client.unary(etcdserverpb.LeaseService.leaseRevoke, etcdserverpb.LeaseRevokeRequest.fromPartial({ ID: 12345n })),
      (err: unknown) => err instanceof EtcdError && err.code === status.NOT_FOUND && err.message === 'etcdserver: requested lease not found',
    );
  } finally {
    client.close();
  }
});

test('no reachable endpoint gives a clear error', async () => {
  const dead = await freePort();
  const client = new EtcdClient({ endpoints: `127.0.0.1:${dead}`, dialTimeoutMs: 300 });
  try {
    await assert.rejects(client.unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from('a') })),
      new RegExp(`cannot connect to 127.0.0.1:${dead}`));
  } finally {
    client.close();
  }
});
