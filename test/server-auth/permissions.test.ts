// A user's permissions as read/write intervals: points, ranges, open-ended ranges, merging across roles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authpb } from '../../src/api';
import { allows, userPermissions } from '../../src/server/auth';

const { READ, WRITE, READWRITE } = authpb.Permission_Type;
const b = (s: string) => Buffer.from(s);
const role = (...perms: [string, string, authpb.Permission_Type][]): authpb.Role => ({
  name: b('r'),
  keyPermission: perms.map(([key, rangeEnd, permType]) => ({ key: b(key), rangeEnd: b(rangeEnd), permType })),
});

test('a single-key permission allows only that key', () => {
  const { read, write } = userPermissions([role(['/a', '', READ])]);
  assert.equal(allows(read, b('/a')), true);
  assert.equal(allows(read, b('/a0')), false);
  assert.equal(allows(read, b('/')), false);
  assert.equal(allows(write, b('/a')), false);
  // a range that is exactly the key's point [key, key\0)
  assert.equal(allows(read, b('/a'), b('/a\0')), true);
  assert.equal(allows(read, b('/a'), b('/b')), false);
});

test('a prefix permission covers keys and sub-ranges inside it, not ranges that leave it', () => {
  const { read } = userPermissions([role(['/app/', '/app0', READWRITE])]);
  assert.equal(allows(read, b('/app/x')), true);
  assert.equal(allows(read, b('/app0')), false);
  assert.equal(allows(read, b('/app/'), b('/app0')), true);
  assert.equal(allows(read, b('/app/a'), b('/app/b')), true);
  assert.equal(allows(read, b('/app/'), b('/app1')), false);
  assert.equal(allows(read, b('/ap'), b('/app/')), false);
  // "\0" as a request's range end means to the end of the key space
  assert.equal(allows(read, b('/app/'), b('\0')), false);
});

test('an open-ended permission ("\\0") covers everything from its key on', () => {
  const { read, write } = userPermissions([role(['m', '\0', WRITE])]);
  assert.deepEqual(read, []);
  assert.equal(allows(write, b('m')), true);
  assert.equal(allows(write, b('zzzz')), true);
  assert.equal(allows(write, b('m'), b('\0')), true);
  assert.equal(allows(write, b('l'), b('\0')), false);
  assert.equal(allows(write, b('a')), false);
});

test('intervals of several roles merge when they touch or overlap', () => {
  const { read } = userPermissions([role(['a', 'c', READ]), role(['c', 'e', READ], ['d', 'g', READWRITE]), undefined]);
  assert.equal(allows(read, b('a'), b('g')), true);
  assert.equal(allows(read, b('b'), b('f')), true);
  assert.equal(allows(read, b('a'), b('h')), false);
  const gap = userPermissions([role(['a', 'c', READ], ['d', 'f', READ])]).read;
  assert.equal(allows(gap, b('a'), b('f')), false);
  assert.equal(allows(gap, b('c')), false);
  assert.equal(allows(gap, b('e')), true);
});

test('a user without roles is allowed nothing', () => {
  const { read, write } = userPermissions([]);
  assert.equal(allows(read, b('a')), false);
  assert.equal(allows(write, b('a'), b('\0')), false);
});
