// Log compaction and snapshots: a follower too far behind gets a snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, ProgressState, StateType } from '../../src/raft';
import { Network, enc } from './harness';

const plain = { preVote: false, checkQuorum: false };

function compactLeader(net: Network, id: bigint): void {
  const m = net.get(id);
  const applied = m.node.status().applied;
  m.storage.createSnapshot(applied, { confState: m.node.status().config, data: enc(JSON.stringify(m.appliedData())) });
  m.storage.compact(applied);
}

test('a follower behind the compacted log receives a snapshot, then catches up by appends', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.isolate(3n);
  for (let i = 0; i < 5; i++) net.propose(1n, `v${i}`);
  compactLeader(net, 1n);
  net.propose(1n, 'after-snap');
  net.heal();
  net.tickAll(1);
  const snaps = net.delivered.filter((m) => m.type === MessageType.MsgSnap && m.to === 3n);
  assert.equal(snaps.length, 1);
  const f = net.get(3n);
  assert.equal(f.storage.snapshot().metadata.index, 6);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(f.storage.snapshot().data)), ['v0', 'v1', 'v2', 'v3', 'v4']);
  assert.equal(f.raft.raftLog.committed, 7);
  assert.deepEqual(f.appliedData(), ['after-snap'], 'entries after the snapshot come by append');
  assert.equal(net.get(1n).node.status().progress.get(3n)!.state, ProgressState.StateReplicate);
});

test('a restarted member resumes from its snapshot and the entries after it', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  for (let i = 0; i < 3; i++) net.propose(1n, `v${i}`);
  const m = net.get(2n);
  m.storage.createSnapshot(3, { confState: m.node.status().config, data: new Uint8Array(0) });
  m.storage.compact(3);
  m.applied = m.applied.filter((e) => e.index <= 3);
  m.restart();
  assert.equal(m.raft.raftLog.firstIndex(), 4);
  assert.deepEqual(m.node.ready().committedEntries.map((e) => e.index), [4]);
});

test('a stale snapshot (at or below commit) is ignored and answered with the commit index', () => {
  const net = new Network([1n, 2n], plain);
  net.campaign(1n);
  net.propose(1n, 'a');
  const f = net.get(2n);
  f.node.step({
    type: MessageType.MsgSnap,
    from: 1n,
    to: 2n,
    term: 1,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    vote: 0n,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
    snapshot: { data: new Uint8Array(0), metadata: { index: 1, term: 1, confState: net.initialConfState } },
  });
  const resp = f.handleReady().find((m) => m.type === MessageType.MsgAppResp)!;
  assert.equal(resp.index, 2);
  assert.equal(f.storage.snapshot().metadata.index, 0);
});

test('a failed snapshot send returns the follower to probing, and a later send succeeds', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.isolate(3n);
  for (let i = 0; i < 3; i++) net.propose(1n, `v${i}`);
  compactLeader(net, 1n);
  net.heal();
  net.ignored.add(MessageType.MsgSnap);
  net.tickAll(1);
  const l = net.get(1n).node;
  assert.equal(l.status().progress.get(3n)!.state, ProgressState.StateSnapshot);
  l.reportSnapshot(3n, 'failure');
  assert.equal(l.status().progress.get(3n)!.state, ProgressState.StateProbe);
  net.heal();
  net.tickAll(2);
  assert.deepEqual(net.get(3n).appliedData(), []);
  assert.equal(net.get(3n).raft.raftLog.committed, 4);
  assert.equal(net.get(3n).raft.state, StateType.StateFollower);
});
