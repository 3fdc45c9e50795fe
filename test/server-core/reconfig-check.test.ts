// etcd's strict reconfiguration checks: membership changes that would leave fewer started voting
// members than a quorum are refused with etcd's error; learners are never counted or checked.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Member } from '../../src/server/membership';
import { checkAddConnected, checkAddVoter, checkPromote, checkRemove, checkRemoveConnected, healthIntervalMs, type PeerActivity } from '../../src/server/reconfig-check';

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

const unhealthy = { message: 'etcdserver: unhealthy cluster' };

/** Member 1 asks; `since` says since when (ms before now) its stream to each peer is up. */
function activity(since: Record<string, number | undefined>): PeerActivity {
  const now = 1_000_000;
  return { self: 1n, now: () => now, activeSince: (id) => (since[String(id)] === undefined ? undefined : new Date(now - (since[String(id)] as number))) };
}

test('an add needs this member connected to every voter for the health interval (a learner\'s add too)', () => {
  const three = [member(1n, 'a'), member(2n, 'b'), member(3n, 'c'), member(4n, 'd', true)];
  checkAddConnected(three, activity({ 2: healthIntervalMs, 3: 60_000 }));
  assert.throws(() => checkAddConnected(three, activity({ 2: healthIntervalMs, 3: undefined })), unhealthy, 'a voter down');
  assert.throws(() => checkAddConnected(three, activity({ 2: healthIntervalMs - 1, 3: 60_000 })), unhealthy, 'connected too recently');
  // A learner's stream does not matter; a lone member has nobody to be connected to.
  checkAddConnected(three, activity({ 2: 60_000, 3: 60_000, 4: undefined }));
  checkAddConnected([member(1n, 'a')], activity({}));
});

test('a voter\'s removal needs the connected voters, less it, to stay a quorum of the rest; a peer that is down may always go', () => {
  const three = [member(1n, 'a'), member(2n, 'b'), member(3n, 'c')];
  checkRemoveConnected(three, 2n, activity({ 2: 60_000, 3: 60_000 }));
  assert.throws(() => checkRemoveConnected(three, 2n, activity({ 2: 60_000, 3: undefined })), unhealthy, 'removing one of the two left');
  checkRemoveConnected(three, 3n, activity({ 2: 60_000, 3: undefined }));
  assert.throws(() => checkRemoveConnected(three, 1n, activity({ 2: 60_000, 3: undefined })), unhealthy, 'removing itself with a peer down');
  checkRemoveConnected(three, 1n, activity({ 2: 60_000, 3: 60_000 }));
  checkRemoveConnected([...three, member(4n, 'd', true)], 4n, activity({}));
});
