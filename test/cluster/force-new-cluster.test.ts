// --force-new-cluster on three real cairn processes: two members are lost for good (SIGKILL), the one
// left restarts with the flag as the only member of its cluster, with every write it had, takes new
// ones, and keeps being a one-member cluster when restarted without the flag.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startCairn } from '../cli/cairn-process';
import { etcdctl, hasEtcdctl } from '../server-core/etcdctl';
import { startTlsCluster } from './tls-cluster';
import { keysOn, putEventually, untilEqual } from './polls';

test('the member left restarts alone with --force-new-cluster, keeping its data', { skip: !hasEtcdctl() && 'etcdctl is not installed', timeout: 180_000 }, async (t) => {
  const { cluster, procs } = await startTlsCluster(t, ['f1', 'f2', 'f3'], 'force-new-cluster-test');
  const written = ['k0', 'k1', 'k2', 'k3', 'k4'];
  for (const key of written) await putEventually(cluster.endpoint(0), key, `v-${key}`);
  await untilEqual('member 1 has every write', () => keysOn(cluster.endpoint(0)), written);

  // all three killed: the WAL's commit index may lag behind what was applied and answered
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  const forced = await startCairn({ dataDir: cluster.dir, args: [...cluster.args(0), '--force-new-cluster'] });
  procs.push(forced);
  assert.match(forced.log(), /forcing restart as a new one-member cluster/);
  const members = async () => (await etcdctl(cluster.endpoint(0), ['member', 'list'])).stdout.split('\n').filter((l) => l !== '').map((l) => l.split(', ')[2]);
  await untilEqual('one member left', members, ['f1']);
  await putEventually(cluster.endpoint(0), 'k5', 'after');
  assert.deepEqual(await keysOn(cluster.endpoint(0)), [...written, 'k5']);

  await forced.stop();
  const again = await startCairn({ dataDir: cluster.dir, args: cluster.args(0) });
  procs.push(again);
  assert.deepEqual(await members(), ['f1']);
  await putEventually(cluster.endpoint(0), 'k6', 'again');
  assert.deepEqual(await keysOn(cluster.endpoint(0)), [...written, 'k5', 'k6']);
  const status = (await etcdctl(cluster.endpoint(0), ['endpoint', 'status'])).stdout.split(', ');
  assert.equal(status[4], 'true', 'it leads');
});
