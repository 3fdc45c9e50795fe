// etcd's strict reconfiguration checks: membership changes that would leave fewer started voting
// members than a quorum are refused with etcd's error; learners are never counted or checked.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Member } from '../../src/server/membership';
import { checkAddVoter, checkPromote, checkRemove } from '../../src/server/reconfig-check';

const member = (id: bigint, name: string, isLearner = false): Member => ({ id, name, peerUrls: [`https://127.0.0.1:${id}`], clientUrls: [], isLearner });
const refused = { message: 'etcdserver: re-configuration failed due to not enough started members' };

test('adding a voter needs a quorum of started voters with it counted unstarted; a lone member may always add one', () => {
  checkAddVoter([member(1n, 'a')]);
  assert.throws(() => checkAddVoter([member(1n, 'a'), member(2n, '')]), refused);
  checkAddVoter([member(1n, 'a'), member(2n, 'b'), member(3n, 'c')]);
  assert.throws(() => checkAddVoter([member(1n, 'a'), member(2n, 'b'), member(3n, '')]), refused);
  // An unstarted learner does not count either way.
  checkAddVoter([member(1n, 'a'), member(2n, 'b'), member(3n, 'c'), member(4n, '', true)]);
});

test('promoting counts the learner as started; removing a voter needs a quorum of the rest started; removing a learner is always allowed', () => {
  checkPromote([member(1n, 'a'), member(4n, '', true)]);
  assert.throws(() => checkPromote([member(1n, 'a'), member(2n, ''), member(3n, ''), member(4n, 'd', true)]), refused);
  checkPromote([member(1n, 'a'), member(2n, 'b'), member(3n, ''), member(4n, 'd', true)]);

  checkRemove([member(1n, 'a'), member(2n, 'b'), member(3n, '')], 3n);
  assert.throws(() => checkRemove([member(1n, 'a'), member(2n, ''), member(3n, '')], 1n), refused);
  checkRemove([member(1n, 'a'), member(2n, ''), member(3n, ''), member(4n, '', true)], 4n);
  checkRemove([member(1n, 'a'), member(2n, 'b')], 9n);
});
