// Membership changes: one at a time or by joint consensus; learners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfChangeTransition,
  ConfChangeType,
  EntryType,
  MemoryStorage,
  RawNode,
  StateType,
  seededRng,
} from '../../src/raft';
import { Network, enc } from './harness';

const plain = { preVote: false, checkQuorum: false };
const cc = (type: ConfChangeType, nodeId: bigint) => ({ id: 0n, type, nodeId, context: new Uint8Array(0) });

test('add a voter: it catches up from the leader and counts toward commit', () => {
  const net = new Network([1n, 2n], plain);
  net.campaign(1n);
  net.propose(1n, 'before');
  net.join(3n);
  net.get(1n).node.proposeConfChange(cc(ConfChangeType.ConfChangeAddNode, 3n));
  net.stabilize();
  assert.deepEqual(net.get(1n).raft.trk.voterNodes(), [1n, 2n, 3n]);
  net.tickAll(1);
  assert.deepEqual(net.get(3n).appliedData(), ['before']);
  assert.deepEqual(net.get(3n).confState?.voters, [1n, 2n, 3n]);
  net.isolate(2n);
  net.propose(1n, 'with 3');
  assert.deepEqual(net.get(1n).appliedData(), ['before', 'with 3'], '1 and 3 are a majority of three');
});

test('learners receive the log but never count for commit; promotion makes them voters', () => {
  const net = new Network([1n, 2n], plain);
  net.campaign(1n);
  net.join(3n);
  net.get(1n).node.proposeConfChange(cc(ConfChangeType.ConfChangeAddLearnerNode, 3n));
  net.stabilize();
  net.tickAll(1);
  net.isolate(2n);
  net.propose(1n, 'needs 2');
  assert.deepEqual(net.get(1n).appliedData(), [], 'the learner does not make a majority with the leader');
  assert.equal(net.get(3n).raft.raftLog.lastIndex(), net.get(1n).raft.raftLog.lastIndex(), 'but it has the entry');
  net.tick(3n, 50);
  net.stabilize();
  assert.equal(net.get(3n).raft.state, StateType.StateFollower, 'a learner never campaigns');
  net.heal();
  net.stabilize();
  net.get(1n).node.proposeConfChange(cc(ConfChangeType.ConfChangeAddNode, 3n)); // promote
  net.stabilize();
  assert.equal(net.get(3n).raft.isLearner, false);
  net.isolate(2n);
  net.propose(1n, 'with promoted 3');
  assert.deepEqual(net.get(1n).appliedData(), ['needs 2', 'with promoted 3']);
});

test('remove a member: the rest commit without it', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.get(1n).node.proposeConfChange(cc(ConfChangeType.ConfChangeRemoveNode, 3n));
  net.stabilize();
  net.isolate(3n);
  assert.deepEqual(net.get(1n).raft.trk.voterNodes(), [1n, 2n]);
  net.propose(1n, 'two of two');
  assert.deepEqual(net.get(2n).appliedData(), ['two of two']);
});

test('a removed leader steps down and the others elect a new one', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.get(1n).node.proposeConfChange(cc(ConfChangeType.ConfChangeRemoveNode, 1n));
  net.stabilize();
  assert.equal(net.get(1n).raft.state, StateType.StateFollower);
  assert.equal(net.get(1n).raft.promotable(), false, 'a removed member cannot campaign');
  net.members.delete(1n);
  net.tickAll(25);
  const l = net.leader();
  assert.ok(l !== undefined && l.id !== 1n);
});

test('only one conf change may be pending: a second one becomes an empty entry', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.isolate(2n);
  net.isolate(3n); // nothing commits, so the first change stays pending
  const l = net.get(1n);
  l.node.proposeConfChange(cc(ConfChangeType.ConfChangeAddLearnerNode, 4n));
  l.node.proposeConfChange(cc(ConfChangeType.ConfChangeAddLearnerNode, 5n));
  const ents = l.raft.raftLog.allEntries();
  assert.deepEqual(ents.slice(-2).map((e) => e.type), [EntryType.EntryConfChange, EntryType.EntryNormal]);
});

test('joint consensus with auto-leave: replace two voters in one change', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.join(4n);
  net.join(5n);
  net.get(1n).node.proposeConfChange({
    transition: ConfChangeTransition.ConfChangeTransitionAuto,
    changes: [
      { type: ConfChangeType.ConfChangeAddNode, nodeId: 4n },
      { type: ConfChangeType.ConfChangeAddNode, nodeId: 5n },
      { type: ConfChangeType.ConfChangeRemoveNode, nodeId: 3n },
    ],
    context: new Uint8Array(0),
  });
  net.stabilize();
  net.tickAll(3);
  const cs = net.get(1n).node.status().config;
  assert.deepEqual(cs.voters, [1n, 2n, 4n, 5n]);
  assert.deepEqual(cs.votersOutgoing, [], 'the leader left the joint config by itself');
  assert.deepEqual(net.get(5n).confState?.voters, [1n, 2n, 4n, 5n]);
});

test('joint consensus, explicit: a joint config needs both majorities, then an empty change leaves it', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.join(4n);
  net.get(1n).node.proposeConfChange({
    transition: ConfChangeTransition.ConfChangeTransitionJointExplicit,
    changes: [
      { type: ConfChangeType.ConfChangeAddNode, nodeId: 4n },
      { type: ConfChangeType.ConfChangeRemoveNode, nodeId: 2n },
      { type: ConfChangeType.ConfChangeRemoveNode, nodeId: 3n },
    ],
    context: new Uint8Array(0),
  });
  net.stabilize();
  net.tickAll(1);
  assert.deepEqual(net.get(1n).node.status().config.votersOutgoing, [1n, 2n, 3n]);
  net.isolate(2n);
  net.isolate(3n);
  net.propose(1n, 'joint');
  assert.deepEqual(net.get(1n).appliedData(), [], '{1,4} is a majority of the new config but not of the old one');
  net.heal();
  net.tickAll(1);
  assert.deepEqual(net.get(1n).appliedData(), ['joint']);
  net.get(1n).node.proposeConfChange({ transition: 0, changes: [], context: new Uint8Array(0) });
  net.stabilize();
  assert.deepEqual(net.get(1n).node.status().config.voters, [1n, 4n]);
  assert.deepEqual(net.get(1n).node.status().config.votersOutgoing, []);
});

test('bootstrap: a new group starts from its peers as committed conf changes', () => {
  const storage = new MemoryStorage();
  const n = new RawNode({ id: 1n, electionTick: 10, heartbeatTick: 1, storage, rng: seededRng(1) });
  n.bootstrap([{ id: 1n, context: enc('peer-1') }, { id: 2n }]);
  const rd = n.ready();
  assert.deepEqual(rd.hardState, { term: 1, vote: 0n, commit: 2 });
  assert.deepEqual(rd.entries.map((e) => e.type), [EntryType.EntryConfChange, EntryType.EntryConfChange]);
  assert.equal(rd.committedEntries.length, 2);
  assert.deepEqual(n.status().config.voters, [1n, 2n]);
  assert.throws(() => {
    storage.append(rd.entries);
    new RawNode({ id: 1n, electionTick: 10, heartbeatTick: 1, storage, rng: seededRng(1) }).bootstrap([{ id: 1n }]);
  }, /can't bootstrap a nonempty Storage/);
});
