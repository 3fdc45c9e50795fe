// Real etcd 3.4, run with the flags of test/cluster/partition.test.ts behind the same cut-proxies, is
// held to the same assertions as cairn: the member cut off refuses linearizable work and
// reconfiguration as etcd does. (Its own file: run after the cairn test in one process, the process
// did not exit.) Under the suite's load its process could spin for ever in node's exit-time handle
// cleanup after passing; the test command's --test-force-exit ends each file's process instead.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { hasEtcdctl } from '../server-core/etcdctl';
import { hasRealEtcd } from '../support/real-etcd';
import { makeTlsCluster } from './tls-cluster';
import { keysOn, leaderIndex, putEventually, untilEqual } from './polls';
import { assertRefusesLinearizable, assertRefusesReconfiguration, isolate, untilConnected } from './partition';

function skipReason(): string | false {
  return !(hasEtcdctl() && hasRealEtcd()) && 'etcd 3.4 is not installed';
}

const all = [0, 1, 2];

test('real etcd 3.4 with the same flags behind the same proxies answers the same', { skip: skipReason(), timeout: 180_000 }, async () => {
  const cluster = await makeTlsCluster(['e1', 'e2', 'e3'], 'etcd-partition-test', { viaProxies: true });
  const logs = all.map(() => '');
  const procs: ChildProcess[] = all.map((i) => {
    const child = spawn('etcd', cluster.args(i), { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => { logs[i] = (logs[i] + d.toString()).slice(-6000); });
    return child;
  });
  try {
    // a member that never connects is explained by its state and the end of its log
    await untilConnected(cluster, all).catch((err: Error) => {
      const states = all.map((i) => `etcd ${i} (${procs[i].exitCode ?? procs[i].signalCode ?? 'running'}):\n${logs[i]}`);
      throw new Error(`${err.message}\n${states.join('\n')}`);
    });
    const leader = await leaderIndex(cluster, all);
    await putEventually(cluster.endpoint(leader), 'k0', 'before-0');
    const isolated = all.find((i) => i !== leader) as number;
    const other = all.find((i) => i !== leader && i !== isolated) as number;
    await untilEqual('the follower has the first write', () => keysOn(cluster.endpoint(isolated)), ['k0']);
    isolate(cluster, isolated, procs[isolated].pid ?? assert.fail('etcd has no pid'));
    await assertRefusesLinearizable(cluster, isolated);
    await assertRefusesReconfiguration(cluster, leader, other);
  } finally {
    for (const p of procs) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const exited = once(p, 'exit');
      p.kill('SIGKILL');
      await exited;
    }
    await Promise.all(cluster.proxies.map((p) => p.close()));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});
