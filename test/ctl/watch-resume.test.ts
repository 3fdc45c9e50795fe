// cairnctl watch and the real etcdctl watch, side by side on three cairn processes. When the member
// serving a watch is killed, the watch goes on from another endpoint: the put made while it was
// reconnecting is printed once and nothing twice. When the last member standing has no leader, it
// ends both watches (they ask for a leader, hasleader) and both exit as etcdctl does. An election
// observer (elect -l, whose watches resume the same way) follows the leadership across such a loss.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { hasEtcdctl } from '../cli/cairn-process';
import { etcdctl } from '../server-core/etcdctl';
import { startTlsCluster, type TlsCluster } from '../cluster/tls-cluster';
import { leaderIndex, putEventually, untilEqual } from '../cluster/polls';
import { statusOf } from '../cluster/partition';
import { start, type Tool } from './ctl-process';

const tools: Tool[] = ['etcdctl', 'cairnctl'];

/**
 * The leader, the follower to kill first and the one left, once both followers know the leader (a
 * member that does not refuses a watch that asks for one). The first member killed is a follower:
 * killing the leader would leave the others without one for a moment, and a slow election would end
 * the watches (hasleader) before they could resume.
 */
async function roles(cluster: TlsCluster): Promise<{ leader: number; victim: number; survivor: number }> {
  const leader = await leaderIndex(cluster, [0, 1, 2]);
  const [victim, survivor] = [0, 1, 2].filter((i) => i !== leader);
  const leaderId = String((await statusOf(cluster, leader)).header.member_id);
  for (const i of [victim, survivor]) await untilEqual(`member ${i} follows the leader`, async () => [String((await statusOf(cluster, i)).leader)], [leaderId]);
  return { leader, victim, survivor };
}

test('a watch outlives the member serving it and ends, as etcdctl\'s, when no member has a leader', { skip: !hasEtcdctl() && 'etcdctl is not installed', timeout: 120_000 }, async (t) => {
  const { cluster, procs } = await startTlsCluster(t, ['w1', 'w2', 'w3'], 'watch-resume-test');
  const { leader, victim, survivor } = await roles(cluster);
  // cairnctl's stream goes to the first endpoint, the victim; etcdctl's balancer picks any
  const endpoints = [victim, leader, survivor].map((i) => cluster.endpoint(i)).join(',');
  await putEventually(cluster.endpoint(leader), 'k', 'v0');
  // from the revision after v0's: v1 shows however late a watch is made
  const got = await etcdctl(cluster.endpoint(leader), ['get', 'k', '-w', 'json']);
  const from = Number((JSON.parse(got.stdout) as { header: { revision: number } }).header.revision) + 1;
  const watchers = tools.map((tool) => start(t, tool, endpoints, ['watch', 'k', '--rev', String(from)]));
  await putEventually(cluster.endpoint(leader), 'k', 'v1');
  await Promise.all(watchers.map((w) => w.waitFor(/v1\n/)));

  await procs[victim].stop('SIGKILL');
  await putEventually(cluster.endpoint(leader), 'k', 'v2');
  await Promise.all(watchers.map((w) => w.waitFor(/v2\n/)));
  await putEventually(cluster.endpoint(survivor), 'k', 'v3');
  await Promise.all(watchers.map((w) => w.waitFor(/v3\n/)));

  // the survivor, alone, loses its leader; a watch on the leader moves to it and is refused there
  await procs[leader].stop('SIGKILL');
  const ends = await Promise.all(watchers.map((w) => w.ended()));
  for (const [n, end] of ends.entries()) {
    assert.deepEqual(end, {
      code: 5,
      stdout: 'PUT\nk\nv1\nPUT\nk\nv2\nPUT\nk\nv3\n',
      stderr: 'watch was canceled (etcdserver: no leader)\nError: watch is canceled by the server\n',
    }, tools[n]);
  }
});

test('an election observer (elect -l) follows the leadership across the loss of the member it watches, as etcdctl\'s', { skip: !hasEtcdctl() && 'etcdctl is not installed', timeout: 120_000 }, async (t) => {
  const { cluster, procs } = await startTlsCluster(t, ['o1', 'o2', 'o3'], 'elect-resume-test');
  const { leader, victim, survivor } = await roles(cluster);
  const endpoints = [victim, leader, survivor].map((i) => cluster.endpoint(i)).join(',');
  const stable = [leader, survivor].map((i) => cluster.endpoint(i)).join(',');
  const observers = tools.map((tool) => start(t, tool, endpoints, ['elect', '-l', 'E']));
  const first = start(t, 'etcdctl', stable, ['elect', 'E', 'one']);
  await Promise.all(observers.map((o) => o.waitFor(/\none\n$/)));

  // the member under cairnctl's observer goes; the leadership then moves
  await procs[victim].stop('SIGKILL');
  await first.stop('SIGINT');
  const second = start(t, 'etcdctl', stable, ['elect', 'E', 'two']);
  await Promise.all(observers.map((o) => o.waitFor(/\ntwo\n$/)));
  await second.stop('SIGINT');
  const [byEtcdctl, byCairnctl] = await Promise.all(observers.map((o) => o.stop('SIGINT')));
  const proposals = (out: string) => out.split('\n').filter((l) => l !== '' && !l.startsWith('E/'));
  assert.deepEqual(proposals(byCairnctl.stdout), proposals(byEtcdctl.stdout));
  assert.deepEqual(proposals(byCairnctl.stdout), ['one', 'two']);
});
