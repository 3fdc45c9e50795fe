// Three real `cairn` processes with peer mutual TLS and a small --snapshot-count: a member killed
// with SIGKILL while the others write far past their compacted log comes back, gets the leader's
// store image (a raft snapshot over the peer transport), serves every acknowledged write, and its
// hashkv agrees; killed again right after, it restarts from the snapshot it received. A learner
// added after the log was compacted joins from an image too and is promoted.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CairnProcess, startCairn } from '../cli/cairn-process';
import { etcdctl, hasEtcdctl } from '../server-core/etcdctl';
import { makeTlsCluster, type InitialCluster, type TlsCluster } from './tls-cluster';
import { keysOn, leaderIndex, pause, reconfigure, untilEqual } from './polls';

const names = ['c1', 'c2', 'c3', 'c4'];
const snapshotFlags = ['--snapshot-count', '40', '--experimental-snapshot-catchup-entries', '10'];

/** Waits for a log line (logs are written asynchronously), polled at most `tries` times. */
async function untilLogged(proc: CairnProcess | undefined, line: RegExp, what: string, tries = 50): Promise<void> {
  for (let t = 0; t < tries && !line.test(proc?.log() ?? ''); t++) await pause(200);
  assert.match(proc?.log() ?? '', line, what);
}

function snapFiles(cluster: TlsCluster, i: number): string[] {
  return readdirSync(join(cluster.dir, names[i], 'member', 'snap')).filter((n) => n.endsWith('.snap'));
}

test('a member down while the others compacted past it catches up by snapshot', { skip: !hasEtcdctl() && 'etcdctl is not installed', timeout: 240_000 }, async () => {
  const cluster = await makeTlsCluster(names, 'cairn-snapshot-test');
  const all = [0, 1, 2];
  const initial: InitialCluster = { cluster: all.map((i) => `${names[i]}=${cluster.peerUrl(i)}`).join(','), state: 'new' };
  const procs: (CairnProcess | undefined)[] = [];
  const start = async (i: number, from = initial) => {
    procs[i] = await startCairn({ dataDir: cluster.dir, args: [...cluster.args(i, from), ...snapshotFlags] });
  };
  try {
    for (const i of all) await start(i);
    const leader = await leaderIndex(cluster, all);
    const acknowledged: string[] = [];
    const put = async (endpoint: string, n: number) => {
      const key = `k${String(n).padStart(3, '0')}`;
      const run = await etcdctl(endpoint, ['put', key, `v${n}`]);
      assert.equal(run.code, 0, run.stderr);
      acknowledged.push(key);
    };
    for (let n = 0; n < 20; n++) await put(cluster.endpoint(leader), n);

    const down = all.find((i) => i !== leader) as number;
    await procs[down]?.stop('SIGKILL');
    // Far past snapshot-count + catch-up entries: the log the stopped member needs is gone from the others.
    for (let n = 20; n < 140; n++) await put(cluster.endpoint(leader), n);
    for (const i of all.filter((j) => j !== down)) assert.ok(snapFiles(cluster, i).length > 0, `member ${i} saved raft snapshots`);

    await start(down);
    await untilEqual('keys on the member that was down', () => keysOn(cluster.endpoint(down)), [...acknowledged].sort());
    await untilLogged(procs[leader], /sent database snapshot/, 'the leader sent its store image');
    await untilLogged(procs[down], /applied a snapshot from the leader/, 'the member took the image');

    const endpoints = all.map((i) => cluster.endpoint(i)).join(',');
    const hashes = await etcdctl(endpoints, ['endpoint', 'hashkv']);
    assert.equal(hashes.code, 0, hashes.stderr);
    assert.equal(new Set(hashes.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(', ')[1])).size, 1, hashes.stdout);

    // Writes go on through the member that caught up; killed again, it restarts from the snapshot it took.
    await put(cluster.endpoint(down), 140);
    await procs[down]?.stop('SIGKILL');
    await start(down);
    await untilEqual('keys after a second restart', () => keysOn(cluster.endpoint(down)), [...acknowledged].sort());

    // A learner added now: the leader's snapshot predates it, so the image it gets carries the membership that names it.
    const added = await reconfigure(cluster.endpoint(leader), ['member', 'add', names[3], '--learner', `--peer-urls=${cluster.peerUrl(3)}`]);
    assert.equal(added.code, 0, added.stderr);
    const id = /Member +([0-9a-f]+) added/.exec(added.stdout)?.[1];
    const joined = /ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(added.stdout)?.[1];
    assert.ok(id !== undefined && joined !== undefined, added.stdout);
    await start(3, { cluster: joined, state: 'existing' });
    await untilEqual('keys on the new learner', () => keysOn(cluster.endpoint(3)), [...acknowledged].sort());
    await untilLogged(procs[3], /applied a snapshot from the leader/, 'the learner joined from an image');
    let promoted = '';
    for (let t = 0; t < 50 && !promoted.includes('promoted'); t++) {
      promoted = (await etcdctl(cluster.endpoint(leader), ['member', 'promote', id])).stdout;
      if (!promoted.includes('promoted')) await pause(200);
    }
    assert.match(promoted, /promoted/);
    await put(cluster.endpoint(3), 141);
    await untilEqual('keys everywhere', () => keysOn(cluster.endpoint(0)), [...acknowledged].sort());
  } finally {
    await Promise.all(procs.map((p) => p?.stop('SIGKILL')));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});
