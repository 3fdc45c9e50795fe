// Leadership transfer (Raft thesis §3.10): catch the target up, then MsgTimeoutNow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, StateType, isRaftError } from '../../src/raft';
import { Network, enc } from './harness';

const opts = { preVote: true, checkQuorum: true };

test('transfer to an up-to-date follower: it campaigns at once and wins the next term', () => {
  const net = new Network([1n, 2n, 3n], opts);
  net.campaign(1n);
  const term = net.get(1n).raft.term;
  net.get(1n).node.transferLeader(2n);
  net.stabilize();
  assert.equal(net.get(2n).raft.state, StateType.StateLeader);
  assert.equal(net.get(2n).raft.term, term + 1);
  assert.equal(net.get(1n).raft.state, StateType.StateFollower);
  assert.ok(net.delivered.some((m) => m.type === MessageType.MsgTimeoutNow && m.to === 2n));
});

test('transfer to a lagging follower catches it up first', () => {
  const net = new Network([1n, 2n, 3n], opts);
  net.campaign(1n);
  net.isolate(3n);
  for (let i = 0; i < 3; i++) net.propose(1n, `w${i}`);
  net.heal();
  net.filter = (m) => !(m.type === MessageType.MsgApp && m.to === 3n); // keep 3 behind
  net.get(1n).node.transferLeader(3n);
  net.stabilize();
  assert.equal(net.get(1n).raft.leadTransferee, 3n);
  assert.ok(!net.delivered.some((m) => m.type === MessageType.MsgTimeoutNow), 'no TimeoutNow before it caught up');
  assert.throws(() => net.get(1n).node.propose(enc('during')), (e: unknown) => isRaftError(e, 'proposal-dropped'));
  net.heal();
  net.tickAll(1);
  assert.equal(net.get(3n).raft.state, StateType.StateLeader);
  assert.deepEqual(net.get(3n).appliedData(), ['w0', 'w1', 'w2']);
});

test('a transfer that cannot finish within an election timeout is abandoned', () => {
  const net = new Network([1n, 2n, 3n], opts);
  net.campaign(1n);
  net.isolate(3n);
  net.propose(1n, 'x');
  net.get(1n).node.transferLeader(3n);
  net.stabilize();
  for (let i = 0; i < 10; i++) {
    net.tick(1n, 1);
    net.tick(2n, 1);
    net.stabilize();
  }
  assert.equal(net.get(1n).raft.leadTransferee, 0n);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  net.propose(1n, 'after');
  assert.deepEqual(net.get(2n).appliedData(), ['x', 'after']);
});

test('transfer requests to self or to a learner are ignored; a follower forwards the request', () => {
  const net = new Network([1n, 2n, 3n], { ...opts, learners: [4n] });
  net.campaign(1n);
  net.get(1n).node.transferLeader(1n);
  net.get(1n).node.transferLeader(4n);
  net.stabilize();
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  assert.equal(net.get(1n).raft.leadTransferee, 0n);
  net.get(3n).node.transferLeader(3n); // asked at a follower: forwarded to the leader
  net.stabilize();
  assert.equal(net.get(3n).raft.state, StateType.StateLeader);
});

test('MsgTimeoutNow overrides the leader lease: the others vote although they heard from a leader', () => {
  const net = new Network([1n, 2n, 3n], opts);
  net.campaign(1n);
  net.get(1n).node.transferLeader(2n);
  net.stabilize();
  const votes = net.delivered.filter((m) => m.type === MessageType.MsgVote && m.from === 2n);
  assert.ok(votes.length > 0, 'a transfer campaign skips PreVote');
  assert.equal(net.get(3n).raft.lead, 2n);
});
