import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, parseGoBool, parseGoDuration, parseGoInteger } from '../../src/go-values';

test('durations read as Go reads them, in milliseconds', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('300ms'), 300);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('-2s'), -2000);
  assert.equal(parseGoDuration('1x'), undefined);
  assert.equal(parseGoDuration('5'), undefined);
});

test('durations print as Go prints them', () => {
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(25.979162), '25.979162ms');
  assert.equal(formatGoDuration(0.5), '500µs');
  assert.equal(formatGoDuration(1500), '1.5s');
  assert.equal(formatGoDuration(120_000), '2m0s');
  assert.equal(formatGoDuration(3_723_000), '1h2m3s');
});

test('booleans and integers as strconv reads them', () => {
  assert.equal(parseGoBool('T'), true);
  assert.equal(parseGoBool('0'), false);
  assert.equal(parseGoBool('yes'), undefined);
  assert.equal(parseGoInteger('0x3e8', { unsigned: false }), 1000);
  assert.equal(parseGoInteger('010', { unsigned: false }), 8);
  assert.equal(parseGoInteger('-1', { unsigned: true }), undefined);
});
