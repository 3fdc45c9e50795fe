import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixEnd, prefixRange, fromKeyRange, singleKey, allKeys, rangeContains } from '../../src/api';

test('prefix end increments the last byte below 0xff', () => {
  assert.deepEqual(prefixEnd(Buffer.from('abc')), Buffer.from('abd'));
  assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
  assert.deepEqual(prefixEnd(Buffer.from([0xff, 0xff])), Buffer.from([0]));
});

test('ranges contain what etcd says they contain', () => {
  const p = prefixRange('/a/');
  assert.ok(rangeContains(p, Buffer.from('/a/x')));
  assert.ok(!rangeContains(p, Buffer.from('/b')));
  assert.ok(rangeContains(fromKeyRange('m'), Buffer.from('zzz')));
  assert.ok(!rangeContains(fromKeyRange('m'), Buffer.from('a')));
  assert.ok(rangeContains(singleKey('k'), Buffer.from('k')));
  assert.ok(!rangeContains(singleKey('k'), Buffer.from('kk')));
  assert.ok(rangeContains(allKeys(), Buffer.from([0])));
  assert.deepEqual(prefixRange(''), allKeys());
});
