// A follower's keep-alives on their way to the leader (src/server/renew-batcher.ts): those asked in one
// turn go in one request with each lease's own answer; while a request is out to the leader the next
// ones wait and go together; a leader change sends them to the new leader at once; a failed request
// fails exactly the keep-alives it carried.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RenewBatcher } from '../../src/server/renew-batcher';

/** A leader whose answers the test gives by hand, noting each request. */
function handLeader() {
  const requests: Array<{ ids: bigint[]; timeoutMs: number; answer(ttls: (number | undefined)[]): void; fail(err: Error): void }> = [];
  const renewOnLeader = (ids: bigint[], timeoutMs: number) =>
    new Promise<(number | undefined)[]>((resolve, reject) => requests.push({ ids, timeoutMs, answer: resolve, fail: reject }));
  return { requests, renewOnLeader };
}

test('keep-alives of one turn share one request, each with its own lease\'s answer; the next wait for it', async () => {
  const leader = handLeader();
  const batcher = new RenewBatcher({ renewOnLeader: leader.renewOnLeader, leader: 1n, timeoutMs: 5000, maxBatch: 3 });
  const first = [batcher.renew(5n), batcher.renew(6n), batcher.renew(7n)];
  await nextTurn();
  assert.deepEqual(leader.requests.map((r) => r.ids), [[5n, 6n, 7n]]);
  assert.ok(leader.requests[0].timeoutMs > 0 && leader.requests[0].timeoutMs <= 5000, 'within the request timeout');

  // Asked while that one is out: they wait, and go together once it is answered (3 at most per request).
  const later = [8n, 9n, 10n, 11n].map((id) => batcher.renew(id));
  await nextTurn();
  assert.equal(leader.requests.length, 1);
  leader.requests[0].answer([30, undefined, 60]);
  assert.deepEqual(await Promise.all(first), [30, undefined, 60], 'the revoked lease (6) is not found, the others renewed');
  await nextTurn();
  assert.deepEqual(leader.requests.map((r) => r.ids), [[5n, 6n, 7n], [8n, 9n, 10n]]);
  leader.requests[1].answer([1, 2, 3]);
  assert.deepEqual(await Promise.all(later.slice(0, 3)), [1, 2, 3]);
  await nextTurn();
  assert.deepEqual(leader.requests[2].ids, [11n]);
  leader.requests[2].answer([4]);
  assert.equal(await later[3], 4);
});

test('a failed request fails only its own keep-alives; a leader change sends the waiting ones to the new leader at once', async () => {
  const leader = handLeader();
  const batcher = new RenewBatcher({ renewOnLeader: leader.renewOnLeader, leader: 1n, timeoutMs: 5000, maxBatch: 100 });
  const toOld = [batcher.renew(5n), batcher.renew(6n)];
  await nextTurn();
  const waiting = [batcher.renew(7n), batcher.renew(8n)];
  await nextTurn();
  assert.equal(leader.requests.length, 1, 'held back while the request to leader 1 is out');
  batcher.leaderChanged(2n);
  await nextTurn();
  assert.deepEqual(leader.requests.map((r) => r.ids), [[5n, 6n], [7n, 8n]], 'sent to the new leader without waiting for the old one');
  leader.requests[0].fail(new Error('etcdserver: request timed out'));
  for (const renewal of toOld) await assert.rejects(renewal, /etcdserver: request timed out/);
  leader.requests[1].answer([30, 30]);
  assert.deepEqual(await Promise.all(waiting), [30, 30]);

  // A request that cannot even start (no peer transport) rejects its keep-alives too.
  const broken = new RenewBatcher({ renewOnLeader: () => { throw new Error('etcdserver: no leader'); }, leader: 0n, timeoutMs: 5000, maxBatch: 100 });
  await assert.rejects(broken.renew(5n), /etcdserver: no leader/);
});

test('a keep-alive whose request timeout ran out while it waited fails with etcd\'s timeout and is not sent', async () => {
  const leader = handLeader();
  let clock = 0;
  const batcher = new RenewBatcher({ renewOnLeader: leader.renewOnLeader, leader: 1n, timeoutMs: 5000, maxBatch: 100, now: () => clock });
  const first = batcher.renew(5n);
  await nextTurn();
  const late = batcher.renew(6n);
  clock = 5001;
  leader.requests[0].answer([30]);
  assert.equal(await first, 30);
  await assert.rejects(late, (err: Error) => err.message === 'etcdserver: request timed out');
  assert.equal(leader.requests.length, 1, 'nothing renewed for it');
});
