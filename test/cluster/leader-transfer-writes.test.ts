// Writes through every member while leadership moves around a 3-member cluster (in process, over the
// in-memory link): none fails. A proposal forwarded to a leader that is handing over, or to one that
// has just stepped down, is dropped by raft without a word; the member holds it and steps it again
// once there is a leader to take it, so its writer does not wait out the request timeout.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { etcdserverpb } from '../../src/api';
import { Running, api, call, removeDir, tempDataDir } from '../server-core/harness';
import { MemoryPeers, memberStarter } from './memory-peers';
import { leaderOf } from './polls';

const names = ['t1', 't2', 't3'];
// An election timeout long enough for a transferee to catch up while six writers keep the one process busy.
const startMember = memberStarter(names, 'leader-transfer-test', { electionMs: 1000 });

function moveLeader(m: Running, targetID: bigint): Promise<etcdserverpb.MoveLeaderResponse> {
  return call<etcdserverpb.MoveLeaderRequest, etcdserverpb.MoveLeaderResponse>(m.clients.maintenance, m.clients.maintenance.moveLeader, { targetID });
}

test('no write fails while leadership moves from member to member', async () => {
  const peers = new MemoryPeers();
  const dirs = names.map(() => tempDataDir());
  const members = await Promise.all(dirs.map((d, i) => startMember(peers, d, i)));
  try {
    let moving = true;
    const failures: string[] = [];
    let acknowledged = 0;
    // Bounded: each writer stops when the moves are done or after 3000 puts.
    const writers = members.flatMap((m, w) => [0, 1].map(async (j) => {
      for (let n = 0; moving && n < 3000; n++) {
        try {
          await api(m.clients).put(`w${w}-${j}-${n}`, 'v');
          acknowledged++;
        } catch (err) {
          failures.push(`${names[w]}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    }));
    for (let move = 0; move < 12; move++) {
      const leader = await leaderOf(members);
      const target = members[(members.indexOf(leader) + 1 + (move % 2)) % 3];
      // A transfer raft gives up on (the transferee not caught up within an election timeout on a
      // busy machine) is asked for again, at most five times: the writes are what is under test.
      for (let attempt = 1; ; attempt++) {
        try {
          await moveLeader(leader, target.server.memberId);
          break;
        } catch (err) {
          if (attempt === 5 || !/leader transfer took too long/.test((err as Error).message)) throw err;
        }
      }
    }
    moving = false;
    await Promise.all(writers);
    assert.deepEqual(failures, [], `${failures.length} of ${acknowledged + failures.length} writes failed`);
    assert.ok(acknowledged > 0);
    const counts = await Promise.all(members.map((m) => api(m.clients).range('w', { rangeEnd: Buffer.from('x'), countOnly: true })));
    for (const c of counts) assert.equal(c.count, BigInt(acknowledged));
  } finally {
    await Promise.all(members.map((m) => m.stop().catch(() => undefined)));
    dirs.forEach(removeDir);
  }
});
