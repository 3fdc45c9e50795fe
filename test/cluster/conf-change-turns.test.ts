// Conf changes proposed together: raft keeps one unapplied conf change at a time and would drop the
// others (each proposer then waits out etcd's request timeout); the leader holds them and proposes
// them in turn, so every one is applied.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { etcdserverpb } from '../../src/api';
import { api, removeDir, startCore, tempDataDir } from '../server-core/harness';

test('member adds sent at once are all applied, one after the other', async () => {
  const dir = tempDataDir();
  const member = await startCore(dir, { heartbeatMs: 20, electionMs: 200 });
  try {
    const { cluster } = member.clients;
    const add = (port: number) =>
      new Promise<etcdserverpb.MemberAddResponse>((resolve, reject) =>
        cluster.memberAdd({ peerURLs: [`https://127.0.0.1:${port}`], isLearner: true }, (err, res) => (err ? reject(err) : resolve(res))),
      );
    const added = await Promise.all([1, 2, 3, 4].map((port) => add(port)));
    const ids = added.map((res) => res.member?.ID);
    assert.equal(new Set(ids).size, 4);
    const list = await api(member.clients).memberList();
    assert.equal(list.members.length, 5);
    for (const id of ids) assert.equal(list.members.find((m) => m.ID === id)?.isLearner, true);
  } finally {
    await member.stop();
    removeDir(dir);
  }
});
