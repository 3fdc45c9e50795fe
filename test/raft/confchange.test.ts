import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeType, ConfChangeSingle } from '../../src/raft';
import { ProgressTracker } from '../../src/raft/tracker';
import { enterJoint, leaveJoint, restoreConfState, simpleChange, ChangeResult } from '../../src/raft/confchange';

const add = (id: bigint): ConfChangeSingle => ({ type: ConfChangeType.ConfChangeAddNode, nodeId: id });
const learner = (id: bigint): ConfChangeSingle => ({ type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: id });
const remove = (id: bigint): ConfChangeSingle => ({ type: ConfChangeType.ConfChangeRemoveNode, nodeId: id });

function trackerWith(res?: ChangeResult): ProgressTracker {
  const t = new ProgressTracker(10, 0);
  if (res) t.setConfig(res.config, res.progress);
  return t;
}

function apply(t: ProgressTracker, fn: (c: { tracker: ProgressTracker; lastIndex: number }) => ChangeResult): ProgressTracker {
  return trackerWith(fn({ tracker: t, lastIndex: 10 }));
}

test('simple changes: add voters one at a time, learners, promote, remove', () => {
  let t = trackerWith();
  t = apply(t, (c) => simpleChange(c, [add(1n)]));
  t = apply(t, (c) => simpleChange(c, [add(2n)]));
  t = apply(t, (c) => simpleChange(c, [learner(3n)]));
  assert.equal(t.config.toString(), 'voters=(1 2) learners=(3)');
  assert.equal(t.progress.get(3n)!.isLearner, true);
  assert.equal(t.progress.get(2n)!.next, 10, 'a new member is probed from the last index');
  t = apply(t, (c) => simpleChange(c, [add(3n)]));
  assert.equal(t.config.toString(), 'voters=(1 2 3)');
  assert.equal(t.progress.get(3n)!.isLearner, false);
  t = apply(t, (c) => simpleChange(c, [remove(2n)]));
  assert.equal(t.config.toString(), 'voters=(1 3)');
  assert.equal(t.progress.has(2n), false);
});

test('simple changes refuse to move two voters at once or to remove all voters', () => {
  let t = trackerWith();
  t = apply(t, (c) => simpleChange(c, [add(1n)]));
  assert.throws(() => simpleChange({ tracker: t, lastIndex: 1 }, [add(2n), add(3n)]), /more than one voter changed/);
  assert.throws(() => simpleChange({ tracker: t, lastIndex: 1 }, [remove(1n)]), /removed all voters/);
  // A failed change leaves the original untouched.
  assert.equal(t.config.toString(), 'voters=(1)');
});

test('joint consensus: enter, demote a voter to learner via learnersNext, leave', () => {
  let t = trackerWith();
  for (const id of [1n, 2n, 3n]) t = apply(t, (c) => simpleChange(c, [add(id)]));
  t = apply(t, (c) => enterJoint(c, { autoLeave: true, changes: [add(4n), learner(3n), remove(1n)] }));
  assert.equal(t.config.toString(), 'voters=(2 4)&&(1 2 3) learners_next=(3) autoleave');
  assert.throws(() => enterJoint({ tracker: t, lastIndex: 1 }, { autoLeave: false, changes: [] }), /already joint/);
  assert.throws(() => simpleChange({ tracker: t, lastIndex: 1 }, [add(5n)]), /in joint config/);
  t = apply(t, (c) => leaveJoint(c));
  assert.equal(t.config.toString(), 'voters=(2 4) learners=(3)');
  assert.equal(t.progress.has(1n), false);
  assert.equal(t.progress.get(3n)!.isLearner, true);
  assert.throws(() => leaveJoint({ tracker: t, lastIndex: 1 }), /non-joint/);
});

test('restoring a ConfState rebuilds the same config, joint or not', () => {
  const cases = [
    { voters: [1n, 2n, 3n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
    { voters: [1n, 2n], learners: [5n], votersOutgoing: [], learnersNext: [], autoLeave: false },
    { voters: [2n, 4n], learners: [], votersOutgoing: [1n, 2n, 3n], learnersNext: [3n], autoLeave: true },
  ];
  for (const cs of cases) {
    const res = restoreConfState({ tracker: trackerWith(), lastIndex: 5 }, cs);
    assert.deepEqual(trackerWith(res).confState(), cs);
  }
});
