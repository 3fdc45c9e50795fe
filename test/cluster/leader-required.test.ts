// clientv3's WithRequireLeader (`hasleader: true` in the metadata; kube-apiserver puts it on its
// watches, etcdctl on `watch`): on a 3-member cluster in one process, a follower cut off from the
// other two refuses such calls at once with `etcdserver: no leader`, and ends such a stream already
// open once it has gone three election timeouts without a leader, so the client moves elsewhere.
// Calls without it wait as before. Every call is counted by client-api-version.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { etcdserverpb } from '../../src/api';
import { removeDir, tempDataDir, type Running } from '../server-core/harness';
import { MemoryPeers, memberStarter } from './memory-peers';
import { eventually, leaderOf } from './polls';

const names = ['r1', 'r2', 'r3'];
const startMember = memberStarter(names, 'leader-required-test');

/** From the member's own metrics: a Status call would count among the client requests checked below. */
async function hasLeader(member: Running): Promise<boolean> {
  return (await member.server.metrics.metrics()).split('\n').includes('etcd_server_has_leader 1');
}

function metadata(fields: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(fields)) md.set(k, v);
  return md;
}

function put(client: etcdserverpb.KVClient, key: string, md: grpc.Metadata, deadlineMs = 10_000): Promise<etcdserverpb.PutResponse> {
  return new Promise((resolve, reject) => {
    client.put(etcdserverpb.PutRequest.fromPartial({ key: Buffer.from(key), value: Buffer.from('v') }), md, { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** A watch on `key`; resolves `ended` with the status it ends with. */
function watch(client: etcdserverpb.WatchClient, key: string, md: grpc.Metadata) {
  const stream = client.watch(md);
  let created!: () => void;
  const started = new Promise<void>((resolve) => (created = resolve));
  stream.on('data', (res: etcdserverpb.WatchResponse) => res.created && created());
  const ended = new Promise<grpc.StatusObject>((resolve) => {
    stream.on('error', (err: grpc.ServiceError) => resolve({ code: err.code, details: err.details, metadata: err.metadata }));
    stream.on('status', resolve);
  });
  stream.write(etcdserverpb.WatchRequest.fromPartial({ createRequest: { key: Buffer.from(key) } }));
  return { stream, started, ended };
}

test('a member without a leader refuses hasleader calls at once and ends hasleader streams after three election timeouts', { timeout: 120_000 }, async () => {
  const peers = new MemoryPeers();
  const dirs = names.map(() => tempDataDir());
  const members = await Promise.all(dirs.map((d, i) => startMember(peers, d, i)));
  try {
    const leader = await leaderOf(members);
    const follower = members.find((m) => m !== leader)!;
    const requireLeader = () => metadata({ hasleader: 'true', 'client-api-version': '3.4' });

    // With a leader, both kinds of call work.
    await put(follower.clients.kv, 'a', requireLeader());
    await put(follower.clients.kv, 'b', new grpc.Metadata());
    const needsLeader = watch(follower.clients.watch, 'w', requireLeader());
    const plain = watch(follower.clients.watch, 'w', new grpc.Metadata());
    await Promise.all([needsLeader.started, plain.started]);

    peers.partition(follower.server.memberId);
    await eventually('the follower has lost its leader', async () => (await hasLeader(follower) ? undefined : true));

    // A hasleader put is refused at once; a hasleader watch ends, the other stays open.
    await assert.rejects(put(follower.clients.kv, 'c', requireLeader()), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.equal(err.details, 'etcdserver: no leader');
      return true;
    });
    const ended = await needsLeader.ended;
    assert.equal(ended.code, grpc.status.UNAVAILABLE);
    assert.equal(ended.details, 'etcdserver: no leader');
    const stillOpen = await Promise.race([plain.ended.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 500))]);
    assert.ok(stillOpen, 'a watch without hasleader stays open');
    // A new hasleader watch is refused at once.
    assert.equal((await watch(follower.clients.watch, 'w', requireLeader()).ended).details, 'etcdserver: no leader');

    const text = await follower.server.metrics.metrics();
    for (const line of [
      'etcd_server_client_requests_total{client_api_version="3.4",type="unary"} 2',
      'etcd_server_client_requests_total{client_api_version="3.4",type="stream"} 2',
      'etcd_server_client_requests_total{client_api_version="unknown",type="stream"} 1',
      // the stream ended; the one refused at its start never reached the gRPC counters (as in etcd, whose leader check runs before them)
      'grpc_server_handled_total{grpc_code="Unavailable",grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 1',
    ]) assert.ok(text.split('\n').includes(line), `${line}\n${text.split('\n').filter((l) => /client_requests|handled_total.*Watch/.test(l)).join('\n')}`);
    // unary calls without the version: the put above and the Status calls that found the leader
    assert.match(text, /^etcd_server_client_requests_total\{client_api_version="unknown",type="unary"\} [1-9]\d*$/m);

    // Healed, the follower has a leader again and serves hasleader calls.
    peers.heal(follower.server.memberId);
    await eventually('the follower has a leader again', async () => (await hasLeader(follower) ? true : undefined));
    await put(follower.clients.kv, 'd', requireLeader());
    plain.stream.cancel();
  } finally {
    await Promise.all(members.map((m) => m.stop()));
    dirs.forEach(removeDir);
  }
});
