// Log replication rules (Raft paper §5.3, §5.4.2) and flow control.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryType, MemoryStorage, MessageType, StateType, isRaftError, newMessage, Entry } from '../../src/raft';
import { Member, Network, enc } from './harness';

const plain = { preVote: false, checkQuorum: false };
const terms = (m: Member) => m.raft.raftLog.allEntries().map((e) => e.term);

/**
 * Figure 8 up to (c): S1 led term 1 and got entry 2 ('x', term 1) only to S2. S5 led term
 * 2 and appended entry 2 (term 2) alone. Now S1 leads term 3 and learns that S2 and S3
 * hold index 2: a majority, but of an entry from an older term.
 */
function figure8UpToC(): Network {
  const net = new Network([1n, 2n, 3n, 4n, 5n], plain);
  net.campaign(1n);
  for (const to of [3n, 4n, 5n]) net.cutLink(1n, to);
  net.propose(1n, 'x');
  assert.deepEqual(terms(net.get(2n)), [1, 1]);
  // (b) S1 crashes; S5 wins term 2 with S3, S4 and appends index 2 at term 2 alone.
  net.heal();
  net.isolate(1n);
  net.get(1n).restart(); // a crash: it comes back as a follower
  net.filter = (m) => !(m.from === 5n && m.type === MessageType.MsgApp);
  net.campaign(5n);
  assert.equal(net.get(5n).raft.state, StateType.StateLeader);
  assert.deepEqual(terms(net.get(5n)), [1, 2]);
  // (c) S5 crashes, S1 comes back and wins term 3 (S2, S3, S4 vote for it).
  net.heal();
  net.isolate(5n);
  net.get(5n).restart();
  net.filter = (m) => !(m.from === 1n && m.type === MessageType.MsgApp);
  net.campaign(1n); // term 2 is lost: S3 and S4 already voted for S5 in it
  net.campaign(1n);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  assert.equal(net.get(1n).raft.term, 3);
  return net;
}

test('figure 8: a leader never commits an entry of an older term by counting replicas', () => {
  const net = figure8UpToC();
  const s1 = net.get(1n);
  for (const from of [2n, 3n]) s1.node.step(newMessage({ type: MessageType.MsgAppResp, from, to: 1n, term: 3, index: 2 }));
  assert.equal(s1.raft.trk.progress.get(2n)!.match, 2);
  assert.equal(s1.raft.raftLog.committed, 1, 'index 2 is on a majority but from term 1: not committed');
  // (d) S1 crashes again; S5 (last term 2) wins term 4 and overwrites index 2 everywhere.
  net.heal();
  net.isolate(1n);
  net.get(1n).restart();
  net.campaign(5n); // term 3 is lost: the others voted for S1 in it
  net.campaign(5n);
  assert.equal(net.get(5n).raft.state, StateType.StateLeader);
  net.heal();
  net.tickAll(3);
  for (const m of net.members.values()) {
    assert.equal(m.raft.raftLog.term(2), 2, `member ${m.id} has S5's entry at index 2`);
    assert.deepEqual(m.appliedData(), [], "'x' was never committed, so nobody applied it");
  }
});

test('figure 8 (e): once an entry of the current term commits, the older entry before it commits too', () => {
  const net = figure8UpToC();
  net.heal();
  net.isolate(5n);
  net.tickAll(1); // S1 replicates [2/1, 3/3] to S2, S3, S4
  assert.equal(net.get(1n).raft.raftLog.committed, 3);
  // S1 crashes; S5 cannot win now: a majority has a log with last term 3.
  net.heal();
  net.isolate(1n);
  net.get(1n).restart();
  net.campaign(5n);
  assert.notEqual(net.get(5n).raft.state, StateType.StateLeader);
  net.heal();
  net.tickAll(25);
  for (const m of net.members.values()) assert.deepEqual(m.appliedData(), ['x'], `member ${m.id}`);
});

test('a follower rejects an append whose previous entry does not match (§5.3)', () => {
  const net = new Network([1n, 2n], plain);
  const f = net.get(2n);
  f.node.step(newMessage({ type: MessageType.MsgApp, from: 1n, to: 2n, term: 2, index: 5, logTerm: 2, entries: [], commit: 0 }));
  const resp = f.handleReady().find((m) => m.type === MessageType.MsgAppResp)!;
  assert.equal(resp.reject, true);
  assert.equal(resp.rejectHint, 0, 'the hint points at where its log ends');
});

function storageWith(voters: bigint[], termsOfLog: number[], term: number): MemoryStorage {
  const s = new MemoryStorage({ confState: { voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } });
  s.append(termsOfLog.map((t, i): Entry => ({ term: t, index: i + 1, type: EntryType.EntryNormal, data: enc(`e${i + 1}`) })));
  s.setHardState({ term, vote: 0n, commit: 1 });
  return s;
}

test('fast back-off: a divergent follower tail is skipped by term, not probed entry by entry', () => {
  const voters = [1n, 2n, 3n];
  const net = new Network(voters, plain);
  const leaderLog = [1, 3, 3, 3, 5, 5, 5, 5, 5];
  net.members.set(1n, new Member(1n, storageWith(voters, leaderLog, 5), plain));
  net.members.set(2n, new Member(2n, storageWith(voters, [1, 1, 1, 1, 2, 2], 5), plain));
  net.members.set(3n, new Member(3n, storageWith(voters, leaderLog, 5), plain));
  net.campaign(1n);
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  const rejects = net.delivered.filter((m) => m.type === MessageType.MsgAppResp && m.from === 2n && m.reject);
  assert.equal(rejects.length, 1, 'one rejection suffices to find the match point at index 1');
  assert.deepEqual(terms(net.get(2n)), terms(net.get(1n)));
  assert.equal(net.get(2n).raft.raftLog.committed, 10);
});

test("the leader's log overwrites a follower's conflicting uncommitted entries", () => {
  const voters = [1n, 2n, 3n];
  const net = new Network(voters, plain);
  net.members.set(1n, new Member(1n, storageWith(voters, [1, 1, 2], 3), plain));
  net.members.set(2n, new Member(2n, storageWith(voters, [1, 1, 2], 3), plain));
  net.members.set(3n, new Member(3n, storageWith(voters, [1, 3, 3, 3], 3), plain)); // an uncommitted tail from a term-3 leader
  net.campaign(1n); // 1 and 2 elect 1 at term 4: 3's log is more up to date but 3 is out-voted
  assert.equal(net.get(1n).raft.state, StateType.StateLeader);
  assert.deepEqual(terms(net.get(3n)), [1, 1, 2, 4]);
});

test('a proposal at a follower is forwarded to the leader; with no leader it is dropped with an error', () => {
  const net = new Network([1n, 2n, 3n], plain);
  assert.throws(() => net.get(2n).node.propose(enc('early')), (e: unknown) => isRaftError(e, 'proposal-dropped'));
  net.campaign(1n);
  net.propose(2n, 'via follower');
  for (const m of net.members.values()) assert.deepEqual(m.appliedData(), ['via follower']);
});

test('disableProposalForwarding makes a follower drop proposals', () => {
  const net = new Network([1n, 2n], { ...plain, disableProposalForwarding: true });
  net.campaign(1n);
  assert.throws(() => net.get(2n).node.propose(enc('x')), (e: unknown) => isRaftError(e, 'proposal-dropped'));
});

test('entries commit once a majority persisted them and apply in order on every member', () => {
  const net = new Network([1n, 2n, 3n, 4n, 5n], plain);
  net.campaign(1n);
  net.isolate(4n);
  net.isolate(5n);
  for (let i = 0; i < 5; i++) net.propose(1n, `v${i}`);
  assert.deepEqual(net.get(2n).appliedData(), ['v0', 'v1', 'v2', 'v3', 'v4']);
  net.isolate(3n);
  net.propose(1n, 'stuck');
  assert.equal(net.get(1n).appliedData().length, 5, 'two of five is not a majority');
  net.heal();
  net.tickAll(1);
  for (const m of net.members.values()) assert.deepEqual(m.appliedData(), ['v0', 'v1', 'v2', 'v3', 'v4', 'stuck']);
});

test('maxSizePerMsg bounds the entries in one append', () => {
  const net = new Network([1n, 2n], { ...plain, maxSizePerMsg: 100 });
  net.campaign(1n);
  net.isolate(2n);
  for (let i = 0; i < 30; i++) net.propose(1n, `value-${String(i).padStart(3, '0')}`); // 22 bytes each encoded
  net.heal();
  net.tickAll(1);
  const apps = net.delivered.filter((m) => m.type === MessageType.MsgApp && m.to === 2n && m.entries.length > 0);
  assert.ok(apps.length >= 7);
  for (const m of apps) assert.ok(m.entries.length <= 5, `an append carried ${m.entries.length} entries`);
  assert.equal(net.get(2n).appliedData().length, 30);
});

test('pipelining: in replicate state at most maxInflightMsgs appends are unacknowledged', () => {
  const net = new Network([1n, 2n], { ...plain, maxInflightMsgs: 3 });
  net.campaign(1n);
  assert.equal(net.get(1n).node.status().progress.get(2n)!.state, 1 /* replicate */);
  net.filter = (m) => !(m.type === MessageType.MsgAppResp && m.from === 2n);
  const before = net.delivered.length;
  for (let i = 0; i < 10; i++) net.propose(1n, `p${i}`);
  const sent = net.delivered.slice(before).filter((m) => m.type === MessageType.MsgApp && m.to === 2n && m.entries.length > 0);
  assert.equal(sent.length, 3);
  assert.equal(net.get(1n).node.status().progress.get(2n)!.inflight, 3);
  net.heal();
  net.tickAll(2); // a heartbeat response lets the leader send again
  assert.equal(net.get(2n).raft.raftLog.lastIndex(), 11);
});

test('the uncommitted-size quota drops proposals once the uncommitted tail is full', () => {
  const net = new Network([1n, 2n, 3n], { ...plain, maxUncommittedEntriesSize: 20 });
  net.campaign(1n);
  net.isolate(1n); // nothing commits
  const l = net.get(1n).node;
  l.propose(enc('0123456789'));
  l.propose(enc('0123456789'));
  assert.throws(() => l.propose(enc('0123456789')), (e: unknown) => isRaftError(e, 'proposal-dropped'));
});

test('ready/advance: votes and entries leave only through a Ready; committed entries are handed out once', () => {
  const net = new Network([1n], plain);
  const m = net.get(1n);
  m.node.campaign();
  let rd = m.node.ready();
  assert.equal(rd.softState?.raftState, StateType.StateCandidate);
  assert.deepEqual(rd.hardState, { term: 1, vote: 1n, commit: 0 });
  assert.equal(rd.mustSync, true);
  m.storage.setHardState(rd.hardState!);
  m.node.advance(); // its own vote counts once durable: it wins
  rd = m.node.ready();
  assert.equal(rd.softState?.raftState, StateType.StateLeader);
  assert.deepEqual(rd.entries.map((e) => e.index), [1]);
  assert.equal(rd.committedEntries.length, 0, 'the single member commits only after its own write is durable');
  m.storage.append(rd.entries);
  m.node.advance();
  rd = m.node.ready();
  assert.deepEqual(rd.committedEntries.map((e) => e.index), [1]);
  assert.equal(rd.hardState?.commit, 1);
  assert.equal(rd.mustSync, false, 'a commit index change alone needs no fsync');
  m.node.advance();
  assert.equal(m.node.status().applied, 1);
  assert.equal(m.node.hasReady(), false);
  m.node.propose(enc('a'));
  m.node.ready();
  assert.throws(() => m.node.ready(), /ready\(\) called twice/);
});

test('proposals made between two Readies go out as one append per follower', () => {
  const net = new Network([1n, 2n, 3n], plain);
  net.campaign(1n);
  const before = net.delivered.length;
  const l = net.get(1n).node;
  for (let i = 0; i < 5; i++) l.propose(enc(`b${i}`));
  net.stabilize();
  const apps = net.delivered.slice(before).filter((m) => m.type === MessageType.MsgApp && m.entries.length > 0);
  assert.deepEqual(apps.map((m) => [m.to, m.entries.length]), [[2n, 5], [3n, 5]]);
  assert.deepEqual(net.get(3n).appliedData(), ['b0', 'b1', 'b2', 'b3', 'b4']);
});
