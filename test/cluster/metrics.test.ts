// The metrics operators watch, with etcd 3.4's names, types and help texts (compared with a real etcd
// 3.4's /metrics), and that they move on a real 3-member cairn cluster with peer mutual TLS: proposals
// committed and applied follow the puts, keys and put counters count, every member has a leader and one
// leads, peer bytes and round trips are counted per peer, and a leader killed with SIGKILL is seen as a
// leader change by the other two, and a read in flight then as a failed read index; a read on a lone
// member as a slow one.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { join } from 'node:path';
import { CairnProcess, runCairnSync, startCairn } from '../cli/cairn-process';
import { freePorts } from '../support/ports';
import { etcdctl, etcdctlBackground, hasEtcdctl } from '../server-core/etcdctl';
import { api, closeClients, makeClients, removeDir, startCore, tempDataDir, type Clients } from '../server-core/harness';
import { TestWatch } from '../server-core/watch-client';
import { etcdserverpb } from '../../src/api';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { makeTlsCluster } from './tls-cluster';
import { eventually, leaderIndex, putEventually } from './polls';
import { metric, metricSamples, untilConnected } from './partition';
import { recordGauge } from '../support/gauge-values';

/** Family -> "type|help" in a Prometheus text. */
function families(text: string): Map<string, string> {
  const help = new Map<string, string>();
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const h = /^# HELP (\S+) (.*)$/.exec(line);
    if (h) help.set(h[1], h[2]);
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) out.set(t[1], `${t[2]}|${help.get(t[1])}`);
  }
  return out;
}

const watched = [
  'etcd_server_has_leader', 'etcd_server_is_leader', 'etcd_server_is_learner', 'etcd_server_leader_changes_seen_total',
  'etcd_server_proposals_committed_total', 'etcd_server_proposals_applied_total', 'etcd_server_proposals_pending',
  'etcd_server_proposals_failed_total', 'etcd_server_heartbeat_send_failures_total', 'etcd_server_slow_apply_total',
  'etcd_server_health_success', 'etcd_server_health_failures', 'etcd_server_quota_backend_bytes', 'etcd_server_version', 'etcd_server_id',
  'etcd_disk_wal_fsync_duration_seconds', 'etcd_disk_backend_commit_duration_seconds',
  'etcd_mvcc_db_total_size_in_bytes', 'etcd_mvcc_db_total_size_in_use_in_bytes',
  'etcd_mvcc_put_total', 'etcd_mvcc_delete_total', 'etcd_mvcc_range_total', 'etcd_mvcc_txn_total',
  'etcd_debugging_mvcc_put_total', 'etcd_debugging_mvcc_delete_total', 'etcd_debugging_mvcc_range_total', 'etcd_debugging_mvcc_txn_total',
  'etcd_debugging_mvcc_keys_total', 'etcd_debugging_mvcc_db_total_size_in_bytes', 'etcd_debugging_mvcc_current_revision', 'etcd_debugging_mvcc_compact_revision',
  'etcd_debugging_mvcc_watch_stream_total', 'etcd_debugging_mvcc_watcher_total', 'etcd_debugging_mvcc_slow_watcher_total',
  'etcd_debugging_lease_granted_total', 'etcd_debugging_lease_revoked_total', 'etcd_debugging_lease_renewed_total',
  'etcd_debugging_lease_ttl_total', 'etcd_debugging_server_lease_expired_total', 'grpc_server_handled_total',
  'grpc_server_started_total', 'grpc_server_msg_received_total', 'grpc_server_msg_sent_total',
  'etcd_cluster_version', 'etcd_server_learner_promote_successes', 'etcd_mvcc_hash_duration_seconds', 'etcd_mvcc_hash_rev_duration_seconds',
  'etcd_server_read_indexes_failed_total', 'etcd_server_slow_read_indexes_total', 'etcd_disk_wal_write_bytes_total',
  'etcd_debugging_mvcc_events_total', 'etcd_debugging_mvcc_pending_events_total',
  'etcd_network_client_grpc_sent_bytes_total', 'etcd_network_client_grpc_received_bytes_total',
  'etcd_server_client_requests_total',
  'etcd_debugging_mvcc_index_compaction_pause_duration_milliseconds', 'etcd_debugging_mvcc_db_compaction_pause_duration_milliseconds',
  'etcd_debugging_mvcc_db_compaction_total_duration_milliseconds', 'etcd_debugging_mvcc_db_compaction_keys_total',
  'etcd_disk_backend_defrag_duration_seconds', 'etcd_disk_defrag_inflight', 'etcd_disk_backend_snapshot_duration_seconds',
  'etcd_mvcc_db_open_read_transactions', 'etcd_debugging_mvcc_total_put_size_in_bytes', 'etcd_debugging_auth_revision',
  'etcd_server_snapshot_apply_in_progress_total', 'etcd_snap_db_fsync_duration_seconds', 'etcd_snap_db_save_total_duration_seconds',
  'etcd_snap_fsync_duration_seconds', 'etcd_debugging_snap_save_total_duration_seconds', 'etcd_debugging_snap_save_marshalling_duration_seconds',
];

/** A histogram's bucket bounds in a Prometheus text (Go writes 1048576 as 1.048576e+06). */
function bucketBounds(text: string, name: string): number[] {
  const prefix = `${name}_bucket{le="`;
  return text.split('\n').filter((line) => line.startsWith(prefix)).map((line) => Number(line.slice(prefix.length, line.indexOf('"', prefix.length))));
}

/** A watch on `key` from `fromRev` (so no event is missed while it starts), three puts seen, then the watcher stopped; then a keep-alive and a physical compaction at `compactRev`. */
async function streamsAndCompaction(endpoint: string, key: string, fromRev: number, compactRev: number): Promise<void> {
  const watch = etcdctlBackground(endpoint, ['watch', key, '--rev', String(fromRev)]);
  try {
    for (const v of ['v1', 'v2', 'v3']) assert.equal((await etcdctl(endpoint, ['put', key, v])).code, 0);
    await watch.waitFor('v3');
  } finally {
    await watch.stop();
  }
  const grant = await etcdctl(endpoint, ['lease', 'grant', '100']);
  const id = /lease ([0-9a-f]+) granted/.exec(grant.stdout)?.[1] ?? '';
  for (const args of [['lease', 'keep-alive', '--once', id], ['compact', String(compactRev), '--physical']]) {
    const run = await etcdctl(endpoint, args);
    assert.equal(run.code, 0, run.stderr);
  }
}

test('the watched metrics have etcd 3.4\'s names, types and help texts', { skip: !(hasRealEtcd() && hasEtcdctl()) && 'etcd 3.4 is not installed' }, async () => {
  const etcd = await startRealEtcd();
  const dir = tempDataDir();
  const cairn = await startCore(dir);
  try {
    // A put, a get, a txn, a delete and a lease on both, so that every labelled family has a sample.
    for (const endpoint of [etcd.endpoint, cairn.endpoint]) {
      for (const args of [['put', 'a', '1'], ['get', 'a'], ['del', 'a'], ['lease', 'grant', '100'], ['endpoint', 'hashkv']]) {
        const run = await etcdctl(endpoint, args);
        assert.equal(run.code, 0, run.stderr);
      }
    }
    // Revisions: a put (2) and a delete (3) above, so the watch starts at 4 and three puts make 4 to 6.
    for (const endpoint of [etcd.endpoint, cairn.endpoint]) await streamsAndCompaction(endpoint, 'w', 4, 5);
    for (const endpoint of [etcd.endpoint, cairn.endpoint]) {
      for (const args of [['defrag'], ['snapshot', 'save', join(dir, 'saved.db')]]) {
        const run = await etcdctl(endpoint, args);
        assert.equal(run.code, 0, run.stderr);
      }
    }
    const watchCanceled = 'grpc_server_handled_total{grpc_code="Canceled",grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 1';
    const scrape = async (read: () => Promise<string>) => eventually('the watch stream ended', async () => {
      const text = await read();
      return text.split('\n').includes(watchCanceled) ? text : undefined;
    });
    const theirText = await scrape(async () => (await fetch(`${etcd.endpoint}/metrics`)).text());
    const ourText = await scrape(() => cairn.server.metrics.metrics());
    const theirs = families(theirText);
    const ours = families(ourText);
    for (const name of watched) {
      assert.ok(theirs.has(name), `etcd has ${name}`);
      assert.equal(ours.get(name), theirs.get(name), name);
      if (ours.get(name)?.startsWith('histogram|')) assert.deepEqual(bucketBounds(ourText, name), bucketBounds(theirText, name), `${name} buckets`);
    }
    // The same samples, labels in the same order, for what both were asked.
    for (const line of [
      'etcd_cluster_version{cluster_version="3.4"} 1',
      'grpc_server_started_total{grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"} 4',
      'grpc_server_msg_sent_total{grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"} 4',
      'grpc_server_handled_total{grpc_code="OK",grpc_method="DeleteRange",grpc_service="etcdserverpb.KV",grpc_type="unary"} 1',
      'etcd_mvcc_hash_rev_duration_seconds_count 1',
      // The watch: one create request, three events; the keep-alive: one renewal each way, then the client's context ends.
      'grpc_server_msg_received_total{grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 1',
      'grpc_server_started_total{grpc_method="LeaseKeepAlive",grpc_service="etcdserverpb.Lease",grpc_type="bidi_stream"} 1',
      'grpc_server_msg_received_total{grpc_method="LeaseKeepAlive",grpc_service="etcdserverpb.Lease",grpc_type="bidi_stream"} 1',
      'grpc_server_msg_sent_total{grpc_method="LeaseKeepAlive",grpc_service="etcdserverpb.Lease",grpc_type="bidi_stream"} 1',
      'grpc_server_handled_total{grpc_code="Unavailable",grpc_method="LeaseKeepAlive",grpc_service="etcdserverpb.Lease",grpc_type="bidi_stream"} 1',
      watchCanceled,
      'etcd_debugging_mvcc_events_total 3',
      'etcd_debugging_mvcc_pending_events_total 0',
      // At revision 5: a's put and its delete (a dead generation) and w's first put are superseded.
      'etcd_debugging_mvcc_db_compaction_keys_total 3',
      'etcd_debugging_mvcc_index_compaction_pause_duration_milliseconds_count 1',
      'etcd_debugging_mvcc_db_compaction_total_duration_milliseconds_count 1',
      'etcd_server_read_indexes_failed_total 0',
      'etcd_server_slow_read_indexes_total 0',
      // a 1 and w v1..v3: the bytes of their keys and values
      'etcd_debugging_mvcc_total_put_size_in_bytes 11',
      'etcd_disk_backend_defrag_duration_seconds_count 1',
      'etcd_disk_defrag_inflight 0',
      'etcd_disk_backend_snapshot_duration_seconds_count 1',
      'etcd_server_snapshot_apply_in_progress_total 0',
    ]) {
      assert.ok(theirText.split('\n').includes(line), `etcd: ${line}`);
      assert.ok(ourText.split('\n').includes(line), `cairn: ${line}`);
    }
    // Four puts, one delete, one linearizable range and two leases went through the store.
    const samples = await cairn.server.metrics.getMetricsAsJSON();
    const value = (name: string) => samples.find((m) => m.name === name)?.values[0]?.value;
    for (const [name, n] of [['etcd_mvcc_put_total', 4], ['etcd_mvcc_delete_total', 1], ['etcd_mvcc_range_total', 1], ['etcd_debugging_lease_granted_total', 2]] as const) assert.equal(value(name), n, name);
  } finally {
    await cairn.stop();
    removeDir(dir);
    await etcd.stop();
  }
});

test('--metrics extensive adds grpc_server_handling_seconds as etcd 3.4 does; basic (the default) leaves it out', { skip: !(hasRealEtcd() && hasEtcdctl()) && 'etcd 3.4 is not installed' }, async () => {
  const ports = await freePorts(2);
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const etcd = await startRealEtcd({ extraArgs: ['--metrics', 'extensive'] });
  const cairn = await startCairn({
    args: ['--metrics', 'extensive', '--listen-client-urls', url(ports[0]), '--advertise-client-urls', url(ports[0]), '--listen-peer-urls', url(ports[1]), '--initial-advertise-peer-urls', url(ports[1]), '--initial-cluster', `default=${url(ports[1])}`],
  });
  try {
    const put = 'grpc_server_handling_seconds_count{grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"}';
    const scrape = async (endpoint: string) => (await fetch(`${endpoint}/metrics`)).text();
    const lines = (text: string) => text.split('\n');
    // every method is listed before its first call, as etcd lists them
    for (const endpoint of [etcd.endpoint, url(ports[0])]) assert.ok(lines(await scrape(endpoint)).includes(`${put} 0`), endpoint);
    for (const endpoint of [etcd.endpoint, url(ports[0])]) assert.equal((await etcdctl(endpoint, ['put', 'a', '1'])).code, 0);
    const theirText = await scrape(etcd.endpoint);
    const ourText = await scrape(url(ports[0]));
    assert.equal(families(ourText).get('grpc_server_handling_seconds'), families(theirText).get('grpc_server_handling_seconds'));
    assert.ok(families(theirText).has('grpc_server_handling_seconds'));
    const bounds = (text: string) => [...new Set(lines(text).filter((l) => l.startsWith('grpc_server_handling_seconds_bucket{')).map((l) => Number(/le="([^"]+)"/.exec(l)?.[1])))];
    assert.deepEqual(bounds(ourText), bounds(theirText));
    for (const text of [theirText, ourText]) assert.ok(lines(text).includes(`${put} 1`), text.slice(0, 200));
    const seconds = Number(lines(ourText).find((l) => l.startsWith('grpc_server_handling_seconds_sum{') && l.includes('method="Put"'))?.split(' ')[1]);
    assert.ok(seconds > 0 && seconds < 10, `Put took ${seconds} s`);
    // the default, basic, has no histogram on either
    const basic = await startRealEtcd();
    try {
      assert.ok(!families(await scrape(basic.endpoint)).has('grpc_server_handling_seconds'));
    } finally {
      await basic.stop();
    }
    const dir = tempDataDir();
    const core = await startCore(dir);
    try {
      assert.ok(!families(await core.server.metrics.metrics()).has('grpc_server_handling_seconds'));
    } finally {
      await core.stop();
      removeDir(dir);
    }
  } finally {
    await cairn.stop();
    cairn.cleanup();
    await etcd.stop();
  }
});

test('--metrics takes basic or extensive only', () => {
  const r = runCairnSync(['--metrics', 'full']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /invalid value "full" for flag -metrics: valid values are "basic", "extensive"/);
});

/** A sample's value in a registry's text (`line`: its name and labels). */
async function sampleOf(registry: Registry, line: string): Promise<number> {
  const found = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${line} `));
  return Number(found?.slice(line.length + 1));
}

test('a put moves the WAL bytes, a watch stream counts its messages and events, a keep-alive its renewals', async () => {
  const dir = tempDataDir();
  const cairn = await startCore(dir);
  const client = api(cairn.clients);
  const value = (line: string) => sampleOf(cairn.server.metrics, line);
  const watchLabels = '{grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"}';
  const keepAliveLabels = '{grpc_method="LeaseKeepAlive",grpc_service="etcdserverpb.Lease",grpc_type="bidi_stream"}';
  try {
    const walBefore = await value('etcd_disk_wal_write_bytes_total');
    const receivedBefore = await value('etcd_network_client_grpc_received_bytes_total');
    const sentBefore = await value('etcd_network_client_grpc_sent_bytes_total');
    const answer = await client.put('k', 'v');
    assert.ok((await value('etcd_disk_wal_write_bytes_total')) > walBefore, 'the put was written to the WAL');
    // as etcd's gRPC codec counts: the protobuf bytes of the request and of its answer
    const request = etcdserverpb.PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.from('v') });
    assert.equal((await value('etcd_network_client_grpc_received_bytes_total')) - receivedBefore, etcdserverpb.PutRequest.encode(request).finish().length);
    assert.equal((await value('etcd_network_client_grpc_sent_bytes_total')) - sentBefore, etcdserverpb.PutResponse.encode(answer).finish().length);

    const watch = new TestWatch(cairn.clients.watch);
    watch.create({ key: Buffer.from('w') });
    assert.equal((await watch.next()).created, true);
    for (const v of ['1', '2', '3']) {
      await client.put('w', v);
      assert.equal((await watch.next()).events.length, 1);
    }
    assert.equal(await value(`grpc_server_msg_received_total${watchLabels}`), 1);
    assert.equal(await value(`grpc_server_msg_sent_total${watchLabels}`), 4, 'created, then three events');
    assert.equal(await value('etcd_debugging_mvcc_events_total'), 3);
    assert.equal(await value('etcd_debugging_mvcc_pending_events_total'), 0);
    watch.stream.cancel();
    await eventually('the canceled watch is counted', async () => ((await value(`grpc_server_handled_total{grpc_code="Canceled",${watchLabels.slice(1)}`)) === 1 ? true : undefined));

    const { ID } = await client.grant(100n);
    const keepAlive = cairn.clients.lease.leaseKeepAlive();
    const answers: bigint[] = [];
    const ended = new Promise((resolve) => keepAlive.on('end', resolve).on('error', resolve));
    keepAlive.on('data', (r: etcdserverpb.LeaseKeepAliveResponse) => answers.push(r.TTL));
    keepAlive.write({ ID });
    keepAlive.write({ ID });
    keepAlive.end();
    await ended;
    assert.deepEqual(answers, [100n, 100n]);
    assert.equal(await value(`grpc_server_msg_received_total${keepAliveLabels}`), 2);
    assert.equal(await value(`grpc_server_msg_sent_total${keepAliveLabels}`), 2);
    await eventually('the closed keep-alive is counted', async () => ((await value(`grpc_server_handled_total{grpc_code="OK",${keepAliveLabels.slice(1)}`)) === 1 ? true : undefined));
  } finally {
    await cairn.stop();
    removeDir(dir);
  }
});

test('a put adds its size, user add moves the auth revision, a defragment and a snapshot are timed', { skip: !hasEtcdctl() && 'etcdctl is not installed' }, async () => {
  const dir = tempDataDir();
  const cairn = await startCore(dir);
  const client = api(cairn.clients);
  const value = (line: string) => sampleOf(cairn.server.metrics, line);
  try {
    const putSize = await value('etcd_debugging_mvcc_total_put_size_in_bytes');
    await client.put('key', 'value');
    await client.put('key', '', { ignoreValue: true }); // puts the value the key had, as etcd counts it
    assert.equal((await value('etcd_debugging_mvcc_total_put_size_in_bytes')) - putSize, 16);

    const authRevision = await value('etcd_debugging_auth_revision');
    assert.equal(authRevision, 1, 'a new store starts at auth revision 1, as etcd\'s');
    const added = await etcdctl(cairn.endpoint, ['user', 'add', 'u1:pw']);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(await value('etcd_debugging_auth_revision'), authRevision + 1);

    const inflight = recordGauge(cairn.server.metrics, 'etcd_disk_defrag_inflight');
    await client.defragment();
    assert.deepEqual(inflight, [1, 0], 'in flight while the defragment ran');
    assert.equal(await value('etcd_disk_backend_defrag_duration_seconds_count'), 1);

    assert.equal(await value('etcd_disk_backend_snapshot_duration_seconds_count'), 0);
    const saved = await etcdctl(cairn.endpoint, ['snapshot', 'save', join(dir, 'saved.db')]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(await value('etcd_disk_backend_snapshot_duration_seconds_count'), 1);
    assert.equal(await value('etcd_mvcc_db_open_read_transactions'), 1, 'only the read transaction of plain reads is open');
  } finally {
    await cairn.stop();
    removeDir(dir);
  }
});

test('the key metrics move on 3 cairn processes: proposals, keys, peer bytes, leader changes, read indexes', { skip: !hasEtcdctl() && 'etcdctl is not installed', timeout: 240_000 }, async () => {
  const cluster = await makeTlsCluster(['m1', 'm2', 'm3'], 'cairn-metrics-test');
  const all = [0, 1, 2];
  const procs: CairnProcess[] = [];
  let clients: Clients[] = [];
  try {
    for (const i of all) procs[i] = await startCairn({ dataDir: cluster.dir, args: cluster.args(i) });
    await untilConnected(cluster, all);
    const leader = await leaderIndex(cluster, all);
    await putEventually(cluster.endpoint(leader), 'warm', 'up');
    const committedBefore = await Promise.all(all.map((i) => metric(cluster, i, 'etcd_server_proposals_committed_total')));
    const follower = all.find((i) => i !== leader) as number;
    for (let n = 0; n < 10; n++) await putEventually(cluster.endpoint(follower), `k${n}`, `v${n}`);
    for (const i of all) {
      // Every member applies the ten puts; the counters read the same on each once it has.
      await eventually(`member ${i} applied the puts`, async () => ((await metric(cluster, i, 'etcd_server_proposals_applied_total')) >= committedBefore[i] + 10 ? true : undefined));
      assert.ok((await metric(cluster, i, 'etcd_server_proposals_committed_total')) >= committedBefore[i] + 10);
      assert.equal(await metric(cluster, i, 'etcd_server_has_leader'), 1);
      assert.equal(await metric(cluster, i, 'etcd_debugging_mvcc_keys_total'), 11);
      assert.equal(await metric(cluster, i, 'etcd_mvcc_put_total'), 11);
      // The leader exchanges messages with both followers; a follower with the leader at least.
      for (const name of ['etcd_network_peer_sent_bytes_total', 'etcd_network_peer_received_bytes_total']) {
        await eventually(`${name} on member ${i} counts its peers`, async () => {
          const perPeer = [...(await metricSamples(cluster, i, name)).values()].filter((v) => v > 0);
          return perPeer.length >= (i === leader ? 2 : 1) ? true : undefined;
        }, 100);
      }
      await eventually(`member ${i} measured round trips`, async () => {
        const counts = [...(await metricSamples(cluster, i, 'etcd_network_peer_round_trip_time_seconds_count')).values()].filter((v) => v > 0);
        return counts.length === 2 ? true : undefined;
      }, 100);
    }
    const leading = await Promise.all(all.map((i) => metric(cluster, i, 'etcd_server_is_leader')));
    assert.deepEqual(leading, all.map((i) => (i === leader ? 1 : 0)));

    // The leader SIGKILLed: the other two see a new leader. A linearizable read sent to a survivor at
    // once (its read-index request goes to the dead leader, long before the survivors' election timeout)
    // fails with "leader changed" when the new leader is elected, and counts as a failed read index.
    const survivors = all.filter((i) => i !== leader);
    const changesBefore = await Promise.all(survivors.map((i) => metric(cluster, i, 'etcd_server_leader_changes_seen_total')));
    clients = survivors.map((i) => makeClients(cluster.endpoint(i)));
    await procs[leader].stop('SIGKILL');
    await assert.rejects(api(clients[0]).range('k0'), { message: /etcdserver: leader changed/ });
    await leaderIndex(cluster, survivors);
    for (const [n, i] of survivors.entries()) {
      assert.ok((await metric(cluster, i, 'etcd_server_leader_changes_seen_total')) > changesBefore[n], `member ${i} saw the leader change`);
      assert.equal(await metric(cluster, i, 'etcd_server_has_leader'), 1);
    }
    assert.equal(await metric(cluster, survivors[0], 'etcd_server_read_indexes_failed_total'), 1);
    assert.equal(await metric(cluster, survivors[0], 'etcd_server_slow_read_indexes_total'), 0);

    // One member left of three: its read-index request gets no answer, times out and counts as slow.
    await procs[survivors[1]].stop('SIGKILL');
    await assert.rejects(api(clients[0]).range('k0'), { message: /etcdserver: request timed out/ });
    assert.equal(await metric(cluster, survivors[0], 'etcd_server_slow_read_indexes_total'), 1);
  } finally {
    for (const c of clients) closeClients(c);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});
