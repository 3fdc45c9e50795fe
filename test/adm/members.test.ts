// The membership steps of join and reset through their seam (MembershipClient): a scripted cluster
// that answers with etcd's own errors, so the promote retries, the not-found and last-member
// rules and the resume of an earlier member-add are checked without a multi-member cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdError, etcdserverpb } from '../../src/api';
import { addLearner, initialClusterOf, promoteWhenReady, removeMemberAt, type MembershipClient } from '../../src/adm';
import type { RpcMethod } from '../../src/client';

type Member = etcdserverpb.Member;

/** A cluster of members in memory answering the four Cluster calls as etcd does. */
class ScriptedCluster implements MembershipClient {
  calls: string[] = [];
  nextId = 0x100n;
  constructor(
    public members: Member[],
    private readonly promoteAnswers: ('not-ready' | 'ok')[] = [],
    private readonly addAnswers: ('unhealthy' | 'ok')[] = [],
    private readonly removeAnswers: ('unhealthy' | 'ok')[] = [],
  ) {}

  async unary<Req, Res>(method: RpcMethod<Req, Res>, request: Req): Promise<Res> {
    const C = etcdserverpb.ClusterService;
    const req = request as Record<string, unknown>;
    this.calls.push(method.path.split('/').pop()!);
    if (method.path === C.memberList.path) return { header: undefined, members: this.members } as Res;
    if (method.path === C.memberAdd.path) {
      if (this.addAnswers.shift() === 'unhealthy') throw etcdError('unhealthy');
      const member: Member = { ID: this.nextId++, name: '', peerURLs: req.peerURLs as string[], clientURLs: [], isLearner: req.isLearner as boolean };
      this.members = [...this.members, member];
      return { header: undefined, member, members: this.members } as Res;
    }
    const m = this.members.find((x) => x.ID === req.ID);
    if (!m) throw etcdError('memberNotFound');
    if (method.path === C.memberPromote.path) {
      if (this.promoteAnswers.shift() === 'not-ready') throw etcdError('learnerNotReady');
      m.isLearner = false;
      return { header: undefined, members: this.members } as Res;
    }
    if (this.removeAnswers.shift() === 'unhealthy') throw etcdError('unhealthy');
    this.members = this.members.filter((x) => x !== m);
    return { header: undefined, members: this.members } as Res;
  }
}

const first: Member = { ID: 1n, name: 'cp-1', peerURLs: ['https://10.0.0.11:2380'], clientURLs: ['https://10.0.0.11:2379'], isLearner: false };
const noSleep = async () => undefined;

test('promote retries while the learner is not in sync, then succeeds', async () => {
  const cluster = new ScriptedCluster([first], ['not-ready', 'not-ready', 'ok']);
  const { member } = await addLearner(cluster, 'https://10.0.0.12:2380');
  const tries: number[] = [];
  assert.equal(await promoteWhenReady(cluster, member.ID, { attempts: 8, intervalMs: 5000, sleep: noSleep, onRetry: (n) => tries.push(n) }), true);
  assert.deepEqual(tries, [1, 2]);
  assert.equal(cluster.members.find((m) => m.ID === member.ID)?.isLearner, false);
});

test('promote gives up after the bounded tries (kubeadm: 8, 5 s apart) and reports it', async () => {
  const cluster = new ScriptedCluster([first], Array(8).fill('not-ready'));
  const { member } = await addLearner(cluster, 'https://10.0.0.12:2380');
  const slept: number[] = [];
  assert.equal(await promoteWhenReady(cluster, member.ID, { attempts: 8, intervalMs: 5000, sleep: async (ms) => void slept.push(ms) }), false);
  assert.equal(cluster.calls.filter((c) => c === 'MemberPromote').length, 8);
  assert.deepEqual(slept, Array(7).fill(5000));
});

test('another promote error is not retried', async () => {
  const cluster = new ScriptedCluster([first]);
  await assert.rejects(promoteWhenReady(cluster, 0x999n, { attempts: 8, intervalMs: 1, sleep: noSleep }), /etcdserver: member not found/);
  assert.equal(cluster.calls.length, 1);
});

test('a re-run finds the learner an earlier join added instead of adding a second one', async () => {
  const cluster = new ScriptedCluster([first]);
  const a = await addLearner(cluster, 'https://10.0.0.12:2380');
  const b = await addLearner(cluster, 'https://10.0.0.12:2380');
  assert.equal(a.kind, 'added');
  assert.equal(b.kind, 'existing');
  assert.equal(b.member.ID, a.member.ID);
  assert.equal(cluster.members.length, 2);
  assert.deepEqual(initialClusterOf(a.members, { id: a.member.ID, name: 'cp-2' }), [
    { name: 'cp-1', peerUrl: 'https://10.0.0.11:2380' },
    { name: 'cp-2', peerUrl: 'https://10.0.0.12:2380' },
  ]);
});

test('remove: not found counts as done, and the last member is never removed', async () => {
  const cluster = new ScriptedCluster([first, { ...first, ID: 2n, name: 'cp-2', peerURLs: ['https://10.0.0.12:2380'] }]);
  assert.equal(await removeMemberAt(cluster, 'https://10.0.0.13:2380'), 'not-found');
  assert.equal(await removeMemberAt(cluster, 'https://10.0.0.12:2380'), 'removed');
  assert.equal(await removeMemberAt(cluster, 'https://10.0.0.11:2380'), 'last-member');
  assert.equal(cluster.members.length, 1);
});

test('member-add retries while the member asked is not yet connected to every voter for 5 s, within bounds', async () => {
  const cluster = new ScriptedCluster([first], [], ['unhealthy', 'unhealthy', 'ok']);
  const tries: number[] = [];
  const added = await addLearner(cluster, 'https://10.0.0.12:2380', { attempts: 6, intervalMs: 2000, sleep: noSleep, onRetry: (n) => tries.push(n) });
  assert.equal(added.kind, 'added');
  assert.deepEqual(tries, [1, 2]);
  assert.equal(cluster.members.length, 2);

  const never = new ScriptedCluster([first], [], Array(6).fill('unhealthy'));
  await assert.rejects(addLearner(never, 'https://10.0.0.12:2380', { attempts: 6, intervalMs: 2000, sleep: noSleep }), { message: 'etcdserver: unhealthy cluster' });
  assert.equal(never.calls.filter((c) => c === 'MemberAdd').length, 6);
  assert.equal(never.members.length, 1);
});

test('member-remove retries while the member asked answers unhealthy cluster, within bounds', async () => {
  const second: Member = { ID: 2n, name: 'cp-2', peerURLs: ['https://10.0.0.12:2380'], clientURLs: [], isLearner: false };
  const cluster = new ScriptedCluster([first, second], [], [], ['unhealthy', 'ok']);
  assert.equal(await removeMemberAt(cluster, 'https://10.0.0.12:2380', { attempts: 6, intervalMs: 2000, sleep: noSleep }), 'removed');
  assert.equal(cluster.members.length, 1);
  const never = new ScriptedCluster([first, second], [], [], Array(6).fill('unhealthy'));
  await assert.rejects(removeMemberAt(never, 'https://10.0.0.12:2380', { attempts: 6, intervalMs: 2000, sleep: noSleep }), { message: 'etcdserver: unhealthy cluster' });
  assert.equal(never.members.length, 2);
});

