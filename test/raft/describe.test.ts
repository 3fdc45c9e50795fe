import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  ProgressState,
  StateType,
  describeConfState,
  describeEntry,
  describeHardState,
  describeMessage,
  describeReady,
  encodeConfChange,
  newMessage,
} from '../../src/raft';
import { Network, enc } from './harness';

test('describe gives one canonical line per type', () => {
  assert.equal(describeEntry({ term: 2, index: 5, type: EntryType.EntryNormal, data: enc('put a') }), '2/5 EntryNormal "put a"');
  assert.equal(
    describeEntry({
      term: 1,
      index: 1,
      type: EntryType.EntryConfChange,
      data: encodeConfChange({ id: 0n, type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: 0xan, context: new Uint8Array(0) }),
    }),
    '1/1 EntryConfChange ConfChangeAddLearnerNode(10)',
  );
  assert.equal(describeEntry({ term: 1, index: 2, type: EntryType.EntryNormal, data: new Uint8Array([0, 255]) }), '1/2 EntryNormal <2 bytes>');
  assert.equal(describeHardState({ term: 3, vote: 0x1an, commit: 7 }), 'Term:3 Vote:1a Commit:7');
  assert.equal(
    describeMessage(newMessage({ type: MessageType.MsgAppResp, from: 2n, to: 1n, term: 4, index: 9, reject: true, rejectHint: 6 })),
    '2->1 MsgAppResp Term:4 Log:0/9 Rejected (Hint: 6)',
  );
  assert.equal(
    describeConfState({ voters: [1n, 2n], learners: [3n], votersOutgoing: [], learnersNext: [], autoLeave: false }),
    'Voters:[1 2] VotersOutgoing:[] Learners:[3] LearnersNext:[] AutoLeave:false',
  );
});

test('describeReady shows what an application must do, in order', () => {
  const net = new Network([1n, 2n], { preVote: false, checkQuorum: false });
  const n = net.get(1n).node;
  n.campaign();
  assert.equal(
    describeReady(n.ready()),
    ['Lead:0 State:StateCandidate', 'HardState Term:1 Vote:1 Commit:0', 'Messages:', '  1->2 MsgVote Term:1 Log:0/0'].join('\n'),
  );
  n.advance();
  assert.equal(describeReady(n.ready()), '<empty Ready>');
});

test('status reports the leader view of every member', () => {
  const net = new Network([1n, 2n, 3n], { preVote: false, checkQuorum: false });
  net.campaign(1n);
  net.propose(1n, 'x');
  const st = net.get(1n).node.status();
  assert.equal(st.raftState, StateType.StateLeader);
  assert.equal(st.lead, 1n);
  assert.equal(st.commit, 2);
  assert.equal(st.applied, 2);
  assert.deepEqual([...st.progress.keys()], [1n, 2n, 3n]);
  assert.equal(st.progress.get(2n)!.match, 2);
  assert.equal(st.progress.get(2n)!.state, ProgressState.StateReplicate);
  assert.deepEqual(st.config.voters, [1n, 2n, 3n]);
  const fst = net.get(2n).node.status();
  assert.equal(fst.progress.size, 0, 'followers have no progress view');
  assert.equal(fst.lead, 1n);
});

test('stepping local messages or responses from unknown members is refused with a specific error', () => {
  const net = new Network([1n, 2n]);
  const n = net.get(1n).node;
  assert.throws(() => n.step(newMessage({ type: MessageType.MsgHup })), /cannot step raft local message/);
  assert.throws(() => n.step(newMessage({ type: MessageType.MsgAppResp, from: 9n, to: 1n, term: 1 })), /peer not found/);
});
