import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseGoBool, parseGoDuration, parseGoInteger, parseEtcdUrl, parseUrlList, parseInitialCluster, checkBindUrls, UrlError,
} from '../../src/server/config';

test('booleans read as Go reads them', () => {
  for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseGoBool(t), true);
  for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseGoBool(f), false);
  for (const bad of ['yes', 'on', '', 'tRUE']) assert.equal(parseGoBool(bad), undefined);
});

test('integers read as Go base-0 integers', () => {
  assert.equal(parseGoInteger('1000', { unsigned: true }), 1000);
  assert.equal(parseGoInteger('0x3e8', { unsigned: true }), 1000);
  assert.equal(parseGoInteger('0o17', { unsigned: true }), 15);
  assert.equal(parseGoInteger('017', { unsigned: true }), 15);
  assert.equal(parseGoInteger('0b101', { unsigned: true }), 5);
  assert.equal(parseGoInteger('1_000', { unsigned: true }), 1000);
  assert.equal(parseGoInteger('-5', { unsigned: false }), -5);
  assert.equal(parseGoInteger('-5', { unsigned: true }), undefined);
  for (const bad of ['', 'abc', '1.5', '1__0', '10_', '08', '1e3']) assert.equal(parseGoInteger(bad, { unsigned: true }), undefined, bad);
});

test('durations read as Go durations, in milliseconds', () => {
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('5s'), 5000);
  assert.equal(parseGoDuration('2h'), 7_200_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('100ms'), 100);
  assert.equal(parseGoDuration('250us'), 0.25);
  for (const bad of ['', '5', 'abc', '5 s', 's', '1d']) assert.equal(parseGoDuration(bad), undefined, bad);
});

test('URLs follow etcd\'s rules: scheme, host:port, no path', () => {
  assert.deepEqual(parseEtcdUrl('http://127.0.0.1:2379'), { scheme: 'http', hostname: '127.0.0.1', port: 2379, host: '127.0.0.1:2379', href: 'http://127.0.0.1:2379' });
  assert.equal(parseEtcdUrl('https://[::1]:2379').hostname, '::1');
  assert.equal(parseEtcdUrl(' unix://localhost:1234 ').scheme, 'unix');
  assert.throws(() => parseEtcdUrl('ftp://127.0.0.1:2379'), /URL scheme must be http, https, unix, or unixs: ftp:\/\/127.0.0.1:2379/);
  assert.throws(() => parseEtcdUrl('127.0.0.1:2379'), /URL scheme must be/);
  assert.throws(() => parseEtcdUrl('http://127.0.0.1'), /URL address does not have the form "host:port": http:\/\/127.0.0.1/);
  assert.throws(() => parseEtcdUrl('http://127.0.0.1:2379/v3'), /URL must not contain a path: http:\/\/127.0.0.1:2379\/v3/);
  assert.throws(() => parseEtcdUrl('http://127.0.0.1:99999'), /port must be a number from 0 to 65535/);
});

test('URL lists are sorted and unique, as etcd keeps them', () => {
  assert.deepEqual(parseUrlList('http://b:2,http://a:1,http://b:2'), ['http://a:1', 'http://b:2']);
  assert.deepEqual(parseUrlList(''), []);
  assert.throws(() => parseUrlList('http://a:1,'), UrlError);
});

test('bind URLs must be IP addresses or localhost', () => {
  checkBindUrls(['http://127.0.0.1:1', 'http://localhost:2', 'http://[::1]:3', 'unix://sock:0']);
  assert.throws(() => checkBindUrls(['http://example.com:2379']), /expected IP in URL for binding \(http:\/\/example.com:2379\)/);
});

test('--initial-cluster maps names to their peer URLs', () => {
  const members = parseInitialCluster('infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380,infra0=http://10.0.1.9:2380');
  assert.deepEqual([...members.entries()], [
    ['infra0', ['http://10.0.1.10:2380', 'http://10.0.1.9:2380']],
    ['infra1', ['http://10.0.1.11:2380']],
  ]);
  assert.throws(() => parseInitialCluster('infra0'), /entry "infra0" must have the form name=url/);
  assert.throws(() => parseInitialCluster('infra0=10.0.1.10:2380'), /URL scheme must be/);
});
