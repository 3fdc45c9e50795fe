// Membership changes end to end with real `cairn` processes, peer mutual TLS and the real etcdctl,
// the way etcd 3.4 does them: `member add --learner`, start the new member with
// --initial-cluster-state existing and the initial cluster member add printed, it catches up from the
// leader's log and serves (as a learner: Status and serializable reads only), `member promote`
// (refused while it is behind), `member remove` stops it; a started member whose data is lost may
// not bootstrap again.
// A one-member cluster grows to two, then three, the same way.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CairnProcess, startCairn } from '../cli/cairn-process';
import { etcdctl, hasEtcdctl } from '../server-core/etcdctl';
import { makeTlsCluster, type TlsCluster } from './tls-cluster';
import { reconfigure } from './polls';
import { metric } from './partition';

async function pause(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function run(endpoint: string, args: string[]): Promise<string> {
  const result = await etcdctl(endpoint, args);
  assert.equal(result.code, 0, `etcdctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Polls `check` every 200 ms, at most `tries` times, until it returns a value. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let t = 0; t < tries; t++) {
    const value = await check();
    if (value !== undefined) return value;
    await pause(200);
  }
  throw new Error(`${what} did not happen`);
}

/** A put retried while the member has no leader yet (it learns of the election a moment later). */
async function putEventually(endpoint: string, key: string, value: string): Promise<void> {
  await eventually(`put ${key}`, async () => ((await etcdctl(endpoint, ['put', key, value])).code === 0 ? true : undefined), 50);
}

/** `member add` and what it printed: the new ID and ETCD_INITIAL_CLUSTER. */
async function memberAdd(endpoint: string, name: string, peerUrl: string, learner: boolean): Promise<{ id: string; initialCluster: string }> {
  const added = await reconfigure(endpoint, ['member', 'add', name, ...(learner ? ['--learner'] : []), `--peer-urls=${peerUrl}`]);
  assert.equal(added.code, 0, added.stderr);
  const out = added.stdout;
  const id = /Member\s+([0-9a-f]+) added/.exec(out)?.[1];
  const initialCluster = /ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(out)?.[1];
  assert.ok(id !== undefined && initialCluster !== undefined, out);
  assert.match(out, /ETCD_INITIAL_CLUSTER_STATE="existing"/);
  return { id, initialCluster };
}

/** `member list` rows as "status, name, isLearner" by member ID. */
async function memberRows(endpoint: string): Promise<Map<string, string>> {
  const out = await run(endpoint, ['member', 'list']);
  const rows = new Map<string, string>();
  for (const line of out.split('\n').filter((l) => l !== '')) {
    const [id, status, name, , , learner] = line.split(', ');
    rows.set(id, `${status}, ${name}, ${learner}`);
  }
  return rows;
}

/** Promotes a learner, retrying while etcd's "not in sync" refusal says it is still catching up. */
async function promote(endpoint: string, id: string): Promise<void> {
  await eventually(`promotion of ${id}`, async () => {
    const result = await etcdctl(endpoint, ['member', 'promote', id]);
    if (result.code === 0) {
      // etcdctl prints the id with %16x: space-padded when it has fewer than 16 hex digits
      assert.match(result.stdout, new RegExp(`^Member +${id} promoted in cluster +[0-9a-f]+\\n$`));
      return true;
    }
    assert.match(result.stderr, /etcdserver: can only promote a learner member which is in sync with leader/);
    return undefined;
  }, 50);
}

async function serializableValue(endpoint: string, key: string): Promise<string | undefined> {
  const result = await etcdctl(endpoint, ['get', key, '--print-value-only', '--consistency', 's']);
  return result.code === 0 && result.stdout !== '' ? result.stdout.trim() : undefined;
}

async function leaderOf(cluster: TlsCluster, alive: number[]): Promise<number> {
  return eventually('a leader', async () => {
    for (const i of alive) {
      const status = await etcdctl(cluster.endpoint(i), ['endpoint', 'status']);
      if (status.code === 0 && status.stdout.split(', ')[4] === 'true') return i;
    }
    return undefined;
  });
}

async function exited(proc: CairnProcess, tries = 100): Promise<number | null> {
  return eventually('the removed member exits', async () => (proc.child.exitCode !== null || proc.child.signalCode !== null ? proc.child.exitCode : undefined), tries);
}

const skip = !hasEtcdctl() && 'etcdctl is not installed';

test('a learner added to 3 members joins with state existing, catches up, is promoted, then removed', { skip, timeout: 300_000 }, async () => {
  const cluster = await makeTlsCluster(['p1', 'p2', 'p3', 'p4', 'p5'], 'cairn-join-test');
  const initial = { cluster: [0, 1, 2].map((i) => `${cluster.names[i]}=${cluster.peerUrl(i)}`).join(','), state: 'new' as const };
  const procs: (CairnProcess | undefined)[] = [];
  try {
    for (const i of [0, 1, 2]) procs[i] = await startCairn({ dataDir: cluster.dir, args: cluster.args(i, initial) });
    const leader = await leaderOf(cluster, [0, 1, 2]);
    const follower = [0, 1, 2].find((i) => i !== leader) as number;
    for (let n = 0; n < 20; n++) await putEventually(cluster.endpoint(n % 3), `before${n}`, `v${n}`);

    // A member that was never added is refused by the running cluster, as etcd refuses it.
    const stranger = await startCairn({ dataDir: cluster.dir, args: cluster.args(4, { cluster: `${initial.cluster},p5=${cluster.peerUrl(4)}`, state: 'existing' }) }).catch((err: Error) => err);
    assert.ok(stranger instanceof Error, 'a member not in the cluster must not start');
    assert.match(stranger.message, /error validating peerURLs \{ClusterID:[0-9a-f]+ Members:\[.*\] RemovedMemberIDs:\[\]\}: member count is unequal/);

    const added = await memberAdd(cluster.endpoint(follower), 'p4', cluster.peerUrl(3), true);
    assert.equal((await memberRows(cluster.endpoint(leader))).get(added.id), 'unstarted, , true');
    procs[3] = await startCairn({ dataDir: cluster.dir, args: cluster.args(3, { cluster: added.initialCluster, state: 'existing' }) });
    // The new member learns its ID from the cluster and receives the log written before it joined.
    const p4Status = await run(cluster.endpoint(3), ['endpoint', 'status']);
    assert.equal(p4Status.split(', ')[1], added.id, p4Status);
    for (let n = 0; n < 20; n++) assert.equal(await eventually(`before${n} on p4`, () => serializableValue(cluster.endpoint(3), `before${n}`)), `v${n}`);
    await eventually('p4 publishes its name', async () => ((await memberRows(cluster.endpoint(leader))).get(added.id) === 'started, p4, true' ? true : undefined));
    // A learner serves only Status and serializable reads, as etcd 3.4.
    for (const args of [['get', 'before0'], ['put', 'x', 'y'], ['member', 'list']]) {
      const refused = await etcdctl(cluster.endpoint(3), args);
      assert.match(refused.stderr, /etcdserver: rpc not supported for learner/, args.join(' '));
    }

    // Promotion through a follower is forwarded to the leader and answers as the leader would.
    const notLearner = await etcdctl(cluster.endpoint(follower), ['member', 'promote', (await run(cluster.endpoint(leader), ['endpoint', 'status'])).split(', ')[1]]);
    assert.match(notLearner.stderr, /etcdserver: can only promote a learner member$/m);
    await promote(cluster.endpoint(follower), added.id);
    // The leader, which did it, counts the promotion (etcd_server_learner_promote_successes).
    assert.equal(await metric(cluster, leader, 'etcd_server_learner_promote_successes'), 1);
    assert.equal(await metric(cluster, follower, 'etcd_server_learner_promote_successes'), 0);
    await eventually('4 voters', async () => {
      const rows = await memberRows(cluster.endpoint(leader));
      return rows.size === 4 && [...rows.values()].every((r) => r.startsWith('started') && r.endsWith('false')) ? true : undefined;
    });
    // p4 serves writes once it has applied its own promotion.
    await putEventually(cluster.endpoint(3), 'after', 'promotion');
    for (const i of [0, 1, 2]) assert.equal(await eventually(`after on member ${i}`, () => serializableValue(cluster.endpoint(i), 'after')), 'promotion');

    // A restart with a data dir ignores the initial flags (here a cluster of p4 alone, state new).
    await procs[3]?.stop('SIGKILL');
    procs[3] = await startCairn({ dataDir: cluster.dir, args: cluster.args(3, { cluster: `p4=${cluster.peerUrl(3)}`, state: 'new' }) });
    assert.equal((await run(cluster.endpoint(3), ['endpoint', 'status'])).split(', ')[1], added.id);
    await putEventually(cluster.endpoint(3), 'restarted', 'yes');
    assert.equal((await memberRows(cluster.endpoint(3))).size, 4);

    // Removing p4: the list shrinks and p4 stops.
    await run(cluster.endpoint(leader), ['member', 'remove', added.id]);
    await eventually('3 members', async () => ((await memberRows(cluster.endpoint(follower))).size === 3 ? true : undefined));
    assert.equal(await exited(procs[3] as CairnProcess), 0);
    assert.match((procs[3] as CairnProcess).log(), /the member has been permanently removed from the cluster/);
    await run(cluster.endpoint(leader), ['put', 'without', 'p4']);

    // A started member whose data dir is lost may not bootstrap a new cluster again (etcd's check).
    const wiped = [0, 1, 2].find((i) => i !== leader) as number;
    const wipedId = (await run(cluster.endpoint(wiped), ['endpoint', 'status'])).split(', ')[1];
    await procs[wiped]?.stop('SIGKILL');
    rmSync(join(cluster.dir, cluster.names[wiped]), { recursive: true, force: true });
    const again = await startCairn({ dataDir: cluster.dir, args: cluster.args(wiped, initial) }).catch((err: Error) => err);
    assert.ok(again instanceof Error, 'a wiped member must not bootstrap again');
    assert.match(again.message, new RegExp(`member ${wipedId} has already been bootstrapped`));
  } finally {
    await Promise.all(procs.map((p) => p?.stop('SIGKILL')));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});

test('a one-member cluster grows to two, then three members', { skip, timeout: 300_000 }, async () => {
  const cluster = await makeTlsCluster(['s1', 's2', 's3'], 'cairn-join-test');
  const procs: (CairnProcess | undefined)[] = [];
  try {
    procs[0] = await startCairn({ dataDir: cluster.dir, args: cluster.args(0, { cluster: `s1=${cluster.peerUrl(0)}`, state: 'new' }) });
    await run(cluster.endpoint(0), ['put', 'alone', '1']);
    for (const i of [1, 2]) {
      const added = await memberAdd(cluster.endpoint(0), cluster.names[i], cluster.peerUrl(i), true);
      procs[i] = await startCairn({ dataDir: cluster.dir, args: cluster.args(i, { cluster: added.initialCluster, state: 'existing' }) });
      assert.equal(await eventually(`alone on ${cluster.names[i]}`, () => serializableValue(cluster.endpoint(i), 'alone')), '1');
      await promote(cluster.endpoint(0), added.id);
      await putEventually(cluster.endpoint(i), `grown${i}`, 'yes');
    }
    // Each new member publishes its name once it hears from the leader, which may be after its promotion.
    const want = ['started, s1, false', 'started, s2, false', 'started, s3, false'].join();
    await eventually('3 started voters', async () => ([...(await memberRows(cluster.endpoint(0))).values()].sort().join() === want ? true : undefined));
    for (const i of [0, 1, 2]) assert.equal(await eventually(`grown2 on ${cluster.names[i]}`, () => serializableValue(cluster.endpoint(i), 'grown2')), 'yes');
    // Three voters keep a quorum without the first member.
    await procs[0]?.stop('SIGKILL');
    await leaderOf(cluster, [1, 2]);
    await putEventually(cluster.endpoint(1), 'quorum', 'two');
  } finally {
    await Promise.all(procs.map((p) => p?.stop('SIGKILL')));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});
