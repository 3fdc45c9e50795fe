// ReadIndex: linearizable reads confirmed by a heartbeat round (Raft thesis §6.4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, ReadOnlyOption } from '../../src/raft';
import { Network, dec, enc } from './harness';

const plain = { preVote: false, checkQuorum: false };

test('a read at the leader is released after a heartbeat round, at the commit index of its arrival', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.propose(1n, 'a');
  const before = net.delivered.length;
  net.get(1n).node.readIndex(enc('r1'));
  net.stabilize();
  const rs = net.get(1n).readStates;
  assert.deepEqual(rs.map((r) => [r.index, dec(r.requestCtx)]), [[2, 'r1']]);
  const beats = net.delivered.slice(before).filter((m) => m.type === MessageType.MsgHeartbeat);
  assert.equal(beats.length, 2, 'one heartbeat round to the two followers');
});

test('many reads queued before one round share it', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.filter = (m) => m.type !== MessageType.MsgHeartbeatResp; // hold confirmations back
  for (let i = 0; i < 5; i++) net.get(1n).node.readIndex(enc(`r${i}`));
  net.stabilize();
  assert.equal(net.get(1n).readStates.length, 0, 'nothing is released without a quorum of acks');
  net.heal();
  const before = net.delivered.length;
  net.tick(1n, 1); // one more heartbeat round carries the newest position
  net.stabilize();
  assert.deepEqual(net.get(1n).readStates.map((r) => dec(r.requestCtx)), ['r0', 'r1', 'r2', 'r3', 'r4']);
  assert.equal(net.delivered.slice(before).filter((m) => m.type === MessageType.MsgHeartbeat).length, 2);
});

test('a follower forwards its read to the leader and gets the read index back', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.propose(2n, 'w');
  net.get(3n).node.readIndex(enc('from-3'));
  net.stabilize();
  const rs = net.get(3n).readStates;
  assert.equal(rs.length, 1);
  assert.equal(dec(rs[0].requestCtx), 'from-3');
  assert.ok(rs[0].index >= 2, 'the read index covers the acknowledged write');
  assert.ok(net.get(3n).raft.raftLog.applied >= rs[0].index);
});

test('a follower with no leader drops the read (the caller retries)', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.get(2n).node.readIndex(enc('x'));
  net.stabilize();
  assert.equal(net.get(2n).readStates.length, 0);
});

test('a partitioned leader cannot confirm reads', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.isolate(1n);
  net.get(1n).node.readIndex(enc('stale?'));
  net.tickAll(5);
  assert.equal(net.get(1n).readStates.length, 0);
});

test('a new leader holds reads until an entry of its own term commits', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.filter = (m) => !(m.type === MessageType.MsgApp && m.from === 1n);
  net.campaign(1n);
  net.get(1n).node.readIndex(enc('early'));
  net.stabilize();
  assert.equal(net.get(1n).readStates.length, 0);
  assert.equal(net.get(1n).raft.pendingReadIndexMessages.length, 1);
  net.heal();
  net.tickAll(1);
  assert.deepEqual(net.get(1n).readStates.map((r) => [r.index, dec(r.requestCtx)]), [[1, 'early']]);
});

test('lease-based reads answer at once (and require CheckQuorum)', () => {
  const net = new Network([1n, 2n, 3n], { preVote: false, checkQuorum: true, readOnlyOption: ReadOnlyOption.ReadOnlyLeaseBased });
  net.campaign(1n);
  const before = net.delivered.length;
  net.get(1n).node.readIndex(enc('lease'));
  net.stabilize();
  assert.equal(net.get(1n).readStates.length, 1);
  assert.equal(net.delivered.slice(before).length, 0, 'no heartbeat round');
  assert.throws(() => new Network([1n], { checkQuorum: false, readOnlyOption: ReadOnlyOption.ReadOnlyLeaseBased }), /CheckQuorum must be enabled/);
});

test('a single-voter leader answers reads at once', () => {
  const net = new Network([1n]);
  net.campaign(1n);
  net.get(1n).node.readIndex(enc('solo'));
  net.stabilize();
  assert.equal(net.get(1n).readStates.length, 1);
});
