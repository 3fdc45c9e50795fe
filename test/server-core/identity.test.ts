import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCluster, computeClusterId, computeMemberId, parseInitialCluster } from '../../src/server/membership';
import { minLeaseTtl } from '../../src/server/lessor';
import { RequestIdGenerator } from '../../src/server/request-id';
import { decodeMember, encodeMember } from '../../src/server/member-store';
import { decodeLeaseRecord, encodeLeaseRecord } from '../../src/server/lease-record';
import { WaitRegistry } from '../../src/server/wait';

test('member and cluster IDs are the ones etcd derives for its default flags', () => {
  // etcd --name default with no other flags prints these IDs.
  const member = computeMemberId(['http://localhost:2380'], 'etcd-cluster');
  assert.equal(member.toString(16), '8e9e05c52164694d');
  assert.equal(computeClusterId([member]).toString(16), 'cdf818194e3a8c32');
});

test('bootstrap finds this member in --initial-cluster and refuses a name that is missing', () => {
  const identity = bootstrapCluster({ name: 'a', initialCluster: 'a=http://127.0.0.1:1,b=http://127.0.0.1:2', clusterToken: 't', advertiseClientUrls: ['http://c'] });
  assert.equal(identity.members.length, 2);
  assert.equal(identity.self.name, 'a');
  assert.deepEqual(identity.self.clientUrls, ['http://c']);
  assert.throws(() => bootstrapCluster({ name: 'z', initialCluster: 'a=http://x', clusterToken: 't', advertiseClientUrls: [] }), /couldn't find local name "z"/);
  assert.throws(() => parseInitialCluster('a=http://x,bogus'), /"bogus" is not name=url/);
});

test('minimum lease TTL follows etcd: 1.5 election timeouts rounded up to seconds', () => {
  assert.equal(minLeaseTtl(100, 1000), 2);
  assert.equal(minLeaseTtl(100, 3000), 5);
  assert.equal(minLeaseTtl(50, 500), 1);
});

test('request IDs carry the member ID low 16 bits and never repeat', () => {
  const gen = new RequestIdGenerator(0x8e9e05c52164694dn, 1_700_000_000_000);
  const a = gen.next();
  const b = gen.next();
  assert.equal(a >> 48n, 0x694dn);
  assert.equal(b, a + 1n);
});

test('member and lease records round-trip in etcd formats, IDs above 2^53 included', () => {
  const m = { id: 0x8e9e05c52164694dn, name: 'default', peerUrls: ['http://localhost:2380'], clientUrls: ['http://localhost:2379'], isLearner: false };
  const encoded = encodeMember(m).toString();
  assert.match(encoded, /^\{"id":10276657743932975437,"peerURLs":\["http:\/\/localhost:2380"\],"name":"default","clientURLs":\["http:\/\/localhost:2379"\]\}$/);
  assert.deepEqual(decodeMember(Buffer.from(encoded)), m);
  const lease = { id: 0x694da2104c8d9804n, ttl: 10, remainingTtl: 3 };
  assert.deepEqual(decodeLeaseRecord(encodeLeaseRecord(lease)), lease);
});

test('wait registry answers each registered ID once and fails the rest on shutdown', async () => {
  const waits = new WaitRegistry<string>();
  const one = waits.register(1n);
  const two = waits.register(2n);
  assert.throws(() => waits.register(1n), /duplicate request id/);
  assert.equal(waits.trigger(1n, 'done'), true);
  assert.equal(waits.trigger(1n, 'again'), false);
  assert.equal(await one, 'done');
  waits.failAll(new Error('stopped'));
  await assert.rejects(two, /stopped/);
});
