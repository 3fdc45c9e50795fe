import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NoLimitIndex,
  VoteResult,
  jointCommittedIndex,
  jointVoteResult,
  majorityCommittedIndex,
  majorityVoteResult,
} from '../../src/raft/quorum';
import { Inflights, Progress, ProgressState } from '../../src/raft/tracker';

const acked = (m: Record<string, number>) => (id: bigint) => m[id.toString()];

test('majority committed index is the highest index a majority holds', () => {
  const c = new Set([1n, 2n, 3n]);
  assert.equal(majorityCommittedIndex(c, acked({ 1: 5, 2: 3, 3: 9 })), 5);
  assert.equal(majorityCommittedIndex(c, acked({ 1: 5 })), 0, 'unknown acks count as 0');
  assert.equal(majorityCommittedIndex(new Set([1n, 2n, 3n, 4n]), acked({ 1: 5, 2: 6, 3: 7, 4: 8 })), 6);
  assert.equal(majorityCommittedIndex(new Set(), acked({})), NoLimitIndex);
});

test('joint committed index is the minimum of both halves', () => {
  const j: [Set<bigint>, Set<bigint>] = [new Set([1n, 2n, 3n]), new Set([3n, 4n, 5n])];
  assert.equal(jointCommittedIndex(j, acked({ 1: 10, 2: 10, 3: 4, 4: 2, 5: 2 })), 2);
  assert.equal(jointCommittedIndex([new Set([1n]), new Set()], acked({ 1: 7 })), 7);
});

test('majority vote results', () => {
  const c = new Set([1n, 2n, 3n]);
  const v = (e: [bigint, boolean][]) => new Map(e);
  assert.equal(majorityVoteResult(c, v([[1n, true]])), VoteResult.VotePending);
  assert.equal(majorityVoteResult(c, v([[1n, true], [2n, true]])), VoteResult.VoteWon);
  assert.equal(majorityVoteResult(c, v([[1n, false], [2n, false]])), VoteResult.VoteLost);
  assert.equal(majorityVoteResult(c, v([[1n, true], [2n, false]])), VoteResult.VotePending);
  assert.equal(majorityVoteResult(new Set(), v([])), VoteResult.VoteWon);
});

test('joint vote needs both halves', () => {
  const j: [Set<bigint>, Set<bigint>] = [new Set([1n, 2n, 3n]), new Set([3n, 4n, 5n])];
  const v = (e: [bigint, boolean][]) => new Map(e);
  assert.equal(jointVoteResult(j, v([[1n, true], [2n, true]])), VoteResult.VotePending);
  assert.equal(jointVoteResult(j, v([[1n, true], [2n, true], [4n, false], [5n, false]])), VoteResult.VoteLost);
  assert.equal(jointVoteResult(j, v([[1n, true], [3n, true], [4n, true]])), VoteResult.VoteWon);
});

test('inflights fill by count or bytes and free up to an index', () => {
  const inf = new Inflights(3, 0);
  inf.add(1, 10);
  inf.add(2, 10);
  inf.add(3, 10);
  assert.equal(inf.full(), true);
  assert.throws(() => inf.add(4, 1), /full inflights/);
  inf.freeLE(2);
  assert.equal(inf.countInflight(), 1);
  inf.add(4, 10);
  inf.add(5, 10); // wraps around the ring
  inf.freeLE(4);
  assert.equal(inf.countInflight(), 1);
  inf.freeLE(0);
  assert.equal(inf.countInflight(), 1, 'a stale ack frees nothing');
  const byBytes = new Inflights(100, 25);
  byBytes.add(1, 10);
  byBytes.add(2, 10);
  assert.equal(byBytes.full(), false);
  byBytes.add(3, 10);
  assert.equal(byBytes.full(), true);
  byBytes.freeLE(1);
  assert.equal(byBytes.full(), false);
});

function progress(match: number, next: number): Progress {
  return new Progress({ match, next, inflights: new Inflights(2, 0), isLearner: false });
}

test('progress: probe sends one message per round trip; replicate pipelines up to the window', () => {
  const p = progress(0, 1);
  p.sentEntries(3, 30);
  assert.equal(p.isPaused(), true);
  assert.equal(p.maybeUpdate(3), true);
  assert.equal(p.isPaused(), false);
  p.becomeReplicate();
  assert.equal(p.next, 4);
  p.sentEntries(2, 20);
  p.sentEntries(2, 20);
  assert.equal(p.next, 8);
  assert.equal(p.isPaused(), true, 'two messages fill a window of two');
  p.maybeUpdate(5);
  p.inflights.freeLE(5);
  p.msgAppFlowPaused = p.inflights.full();
  assert.equal(p.isPaused(), false);
});

test('progress: maybeDecrTo ignores stale rejections and uses the hint', () => {
  const p = progress(5, 10);
  p.becomeReplicate();
  p.next = 10;
  assert.equal(p.maybeDecrTo(4, 4), false, 'rejection below match is stale');
  assert.equal(p.maybeDecrTo(8, 3), true);
  assert.equal(p.next, 6, 'replicate falls back to match+1');
  const q = progress(0, 10);
  assert.equal(q.maybeDecrTo(5, 2), false, 'probe: only the last sent index counts');
  assert.equal(q.maybeDecrTo(9, 2), true);
  assert.equal(q.next, 3);
});

test('progress: snapshot state pauses and resumes probing after the snapshot', () => {
  const p = progress(3, 4);
  p.becomeSnapshot(20);
  assert.equal(p.isPaused(), true);
  assert.equal(p.state, ProgressState.StateSnapshot);
  p.becomeProbe();
  assert.equal(p.next, 21);
  assert.equal(p.isPaused(), false);
});
