// Leader election rules (Raft paper §5.2, §5.4.1; thesis §9.6 PreVote, §6.2 CheckQuorum).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, StateType, newMessage, MemoryStorage } from '../../src/raft';
import { Member, Network } from './harness';

const plain = { preVote: false, checkQuorum: false };

test('a candidate that wins a majority becomes leader; the others follow it in that term', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  for (const id of [2n, 3n]) {
    assert.equal(net.get(id).raft.state, StateType.StateFollower);
    assert.equal(net.get(id).raft.lead, 1n);
    assert.equal(net.get(id).raft.term, 1);
  }
  // The leader's empty entry of its term is committed everywhere.
  for (const m of net.members.values()) assert.equal(m.raft.raftLog.committed, 1);
});

test('a single voter elects itself at once', () => {
  const net = new Network([1n]);
  net.campaign(1n);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  net.propose(1n, 'x');
  assert.deepEqual(net.get(1n).appliedData(), ['x']);
});

test('a candidate without a quorum stays candidate and retries in a new term', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.isolate(1n);
  net.campaign(1n);
  assert.equal(net.get(1n).raft.state, StateType.StateCandidate);
  assert.equal(net.get(1n).raft.term, 1);
  net.tick(1n, 20); // past any randomized timeout in [10, 20)
  net.stabilize();
  assert.equal(net.get(1n).raft.state, StateType.StateCandidate);
  assert.ok(net.get(1n).raft.term >= 2);
});

test('a follower grants at most one vote per term, and only to a log at least as up to date', () => {
  const net = new Network([1n, 2n, 3n], plain);
  const f = net.get(1n);
  f.node.step(newMessage({ type: MessageType.MsgVote, from: 2n, to: 1n, term: 1, logTerm: 0, index: 0 }));
  f.node.step(newMessage({ type: MessageType.MsgVote, from: 3n, to: 1n, term: 1, logTerm: 0, index: 0 }));
  f.node.step(newMessage({ type: MessageType.MsgVote, from: 2n, to: 1n, term: 1, logTerm: 0, index: 0 })); // a repeat
  const resps = f.handleReady().filter((m) => m.type === MessageType.MsgVoteResp);
  assert.deepEqual(resps.map((m) => [m.to, m.reject]), [[2n, false], [3n, true], [2n, false]]);
  assert.equal(f.raft.vote, 2n);
});

test('the vote survives a restart: no second vote in the same term', () => {
  const net = new Network([1n, 2n, 3n], plain);
  const f = net.get(1n);
  f.node.step(newMessage({ type: MessageType.MsgVote, from: 2n, to: 1n, term: 5, logTerm: 0, index: 0 }));
  f.handleReady(); // persists term 5, vote 2
  f.restart();
  assert.equal(f.raft.term, 5);
  assert.equal(f.raft.vote, 2n);
  f.node.step(newMessage({ type: MessageType.MsgVote, from: 3n, to: 1n, term: 5, logTerm: 9, index: 9 }));
  const resp = f.handleReady().find((m) => m.type === MessageType.MsgVoteResp)!;
  assert.equal(resp.reject, true);
});

test('a vote whose Ready was not persisted is not sent: the response waits for the durable write', () => {
  const net = new Network([1n, 2n, 3n], plain);
  const f = net.get(1n);
  f.node.step(newMessage({ type: MessageType.MsgVote, from: 2n, to: 1n, term: 5, logTerm: 0, index: 0 }));
  // The response leaves only through a Ready, whose hard state must be persisted first.
  const rd = f.node.ready();
  assert.equal(rd.hardState?.vote, 2n);
  assert.equal(rd.mustSync, true);
  assert.ok(rd.messages.some((m) => m.type === MessageType.MsgVoteResp));
  // Crash before persisting: the restarted member never voted.
  f.restart();
  assert.equal(f.raft.vote, 0n);
  assert.equal(f.raft.term, 0);
});

test('a candidate with a stale log loses the election (§5.4.1)', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.isolate(3n);
  net.propose(1n, 'a');
  net.propose(1n, 'b');
  net.heal();
  net.campaign(3n);
  assert.notEqual(net.get(3n).raft.state, StateType.StateLeader);
  const rejections = net.delivered.filter((m) => m.type === MessageType.MsgVoteResp && m.to === 3n && m.reject);
  assert.equal(rejections.length, 2);
  // Node 3 raised the term; a member with the full log wins the next election.
  net.campaign(1n);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  net.stabilize();
  assert.deepEqual(net.get(3n).appliedData(), ['a', 'b']);
});

test('followers start an election after a randomized timeout in [electionTick, 2*electionTick)', () => {
  const net = new Network([1n, 2n, 3n], plain);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const r = net.get(1n).raft;
    r.resetRandomizedElectionTimeout();
    assert.ok(r.randomizedElectionTimeout >= 10 && r.randomizedElectionTimeout < 20);
    seen.add(r.randomizedElectionTimeout);
  }
  assert.ok(seen.size > 5, 'the timeout is actually randomized');
  net.tickAll(20);
  assert.ok(net.leader() !== undefined, 'someone campaigned and won');
});

test('PreVote: a partitioned member does not raise its term and does not disrupt the leader on return', () => {
  const net = new Network([1n, 2n, 3n], { preVote: true, checkQuorum: true });
  net.campaign(1n);
  const term = net.get(1n).raft.term;
  net.isolate(3n);
  net.tick(3n, 100);
  net.stabilize();
  assert.equal(net.get(3n).raft.term, term, 'pre-votes never win, so the term stays');
  assert.equal(net.get(3n).raft.state, StateType.StatePreCandidate);
  net.heal();
  net.tickAll(3);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  assert.equal(net.get(1n).raft.term, term);
  assert.equal(net.get(3n).raft.lead, 1n);
});

test('without PreVote a rejoining member disrupts the leader (the problem PreVote solves)', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  const term = net.get(1n).raft.term;
  net.isolate(3n);
  net.tick(3n, 100);
  net.stabilize();
  assert.ok(net.get(3n).raft.term > term);
  net.heal();
  net.tickAll(20); // node 3 ignores the old term's heartbeats and campaigns again
  assert.ok(net.get(1n).raft.term > term, 'the leader had to step down to a higher term');
});

test('PreVote: a pre-candidate with a stale log is refused and the leader keeps its term', () => {
  const net = new Network([1n, 2n, 3n], { preVote: true, checkQuorum: false });
  net.campaign(1n);
  net.isolate(3n);
  net.propose(1n, 'a');
  net.heal();
  const term = net.get(1n).raft.term;
  net.campaign(3n);
  assert.equal(net.get(1n).raft.term, term);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
});

test('CheckQuorum: a leader that cannot reach a quorum steps down', () => {
  const net = new Network([1n, 2n, 3n], { checkQuorum: true, preVote: true });
  net.campaign(1n);
  net.isolate(1n);
  net.tick(1n, 21); // two check periods: the first one marks everyone inactive
  assert.equal(net.get(1n).raft.state, StateType.StateFollower);
});

test('CheckQuorum: within the leader lease, vote requests from a higher term are ignored', () => {
  const net = new Network([1n, 2n, 3n], { checkQuorum: true, preVote: false });
  net.campaign(1n);
  const f = net.get(2n);
  f.node.step(newMessage({ type: MessageType.MsgVote, from: 3n, to: 2n, term: 9, logTerm: 9, index: 9 }));
  assert.equal(f.raft.term, 1);
  assert.equal(f.handleReady().length, 0);
});

test('a leader that hears a higher term steps down', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  const l = net.get(1n);
  l.node.step(newMessage({ type: MessageType.MsgAppResp, from: 2n, to: 1n, term: 7, index: 0 }));
  assert.equal(l.raft.state, StateType.StateFollower);
  assert.equal(l.raft.term, 7);
});

test('a stale leader is told the new term by the answer to its heartbeat', () => {
  const net = new Network([1n, 2n, 3n], { checkQuorum: true, preVote: true });
  net.campaign(1n);
  net.isolate(1n);
  for (let i = 0; i < 30; i++) {
    net.tick(2n, 1);
    net.tick(3n, 1);
    net.stabilize();
  }
  const next = [net.get(2n), net.get(3n)].find((m) => m.raft.state === StateType.StateLeader);
  assert.ok(next !== undefined);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader, 'it has not noticed yet');
  net.heal();
  net.tick(1n, 1); // sends a heartbeat at its old term
  net.stabilize();
  assert.equal(net.get(1n).raft.state, StateType.StateFollower);
  assert.equal(net.get(1n).raft.term, next.raft.term);
  net.tick(next.id, 1); // the next heartbeat tells it who leads
  net.stabilize();
  assert.equal(net.get(1n).raft.lead, next.id);
});

test('learners never campaign and their votes never count', () => {
  const net = new Network([1n, 2n], { ...plain, learners: [3n] });
  net.tick(3n, 100);
  net.stabilize();
  assert.equal(net.get(3n).raft.state, StateType.StateFollower);
  assert.equal(net.get(3n).raft.term, 0);
  const c = net.get(1n);
  c.raft.becomeCandidate();
  c.node.step(newMessage({ type: MessageType.MsgVoteResp, from: 3n, to: 1n, term: c.raft.term }));
  assert.equal(c.raft.state, StateType.StateCandidate, 'self + learner is not a quorum of {1,2}');
});

test('a member restarted from storage resumes with its term, vote, commit and log', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  net.propose(1n, 'a');
  const m = net.get(2n);
  const before = { term: m.raft.term, commit: m.raft.raftLog.committed, last: m.raft.raftLog.lastIndex() };
  m.restart();
  assert.deepEqual({ term: m.raft.term, commit: m.raft.raftLog.committed, last: m.raft.raftLog.lastIndex() }, before);
  assert.equal(m.raft.state, StateType.StateFollower);
  assert.equal(m.node.status().applied, before.commit, 'Config.applied skips what the application already has');
  assert.equal(m.node.hasReady(), false);
  // An application that lost its state restarts with applied 0 and gets everything again.
  m.applied = [];
  m.restart();
  assert.equal(m.node.ready().committedEntries.length, before.commit);
});

test('config validation gives specific errors', () => {
  const storage = new MemoryStorage();
  assert.throws(() => new Member(0n, storage, {}), /cannot use none as id/);
  assert.throws(() => new Member(1n, storage, { heartbeatTick: 0 }), /heartbeat tick must be greater than 0/);
  assert.throws(() => new Member(1n, storage, { electionTick: 1 }), /election tick must be greater than heartbeat tick/);
});
