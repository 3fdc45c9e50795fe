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

test('calls carry clientv3\'s metadata: real etcd counts them under client_api_version 3.4', { skip }, async () => {
  const client = new EtcdClient({ endpoints: etcd.endpoint });
  const counted = async () => new Map([...(await (await fetch(`${etcd.endpoint}/metrics`)).text()).matchAll(/^etcd_server_client_requests_total\{client_api_version="3\.4",type="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
  try {
    const before = await counted();
    await client.unary(etcdserverpb.KVService.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.from('/m'), value: Buffer.from('1') }));
    const stream = await client.bidi(etcdserverpb.LeaseService.leaseKeepAlive, { requireLeader: true });
    const grant = await client.unary(etcdserverpb.LeaseService.leaseGrant, { TTL: 30n, ID: 0n });
    const renewed = new Promise<etcdserverpb.LeaseKeepAliveResponse>((resolve) => stream.once('data', resolve));
    stream.write({ ID: grant.ID });
    assert.equal((await renewed).ID, grant.ID);
    stream.on('error', () => undefined); // the cancel below ends it with CANCELLED
    stream.cancel();
    const after = await counted();
    assert.equal((after.get('unary') ?? 0) - (before.get('unary') ?? 0), 2);
    assert.equal((after.get('stream') ?? 0) - (before.get('stream') ?? 0), 1);
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
