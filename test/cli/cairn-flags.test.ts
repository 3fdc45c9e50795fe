import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCairnSync } from './cairn-process';
import { freePorts } from '../support/ports';

test('cairn --version prints etcd-like version lines and exits 0', () => {
  const result = runCairnSync(['--version']);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^cairn Version: \d+\.\d+\.\d+/);
  assert.match(lines[1], /^etcd Version: 3\.4\.\d+$/);
  assert.match(lines[2], /^Git SHA: ([0-9a-f]{7}|Not provided)$/);
  assert.equal(lines[3], `Node Version: ${process.version}`);
  assert.equal(lines[4], `Node OS/Arch: ${process.platform}/${process.arch}`);
});

test('cairn --help lists etcd\'s flags with their defaults and exits 0', () => {
  const result = runCairnSync(['--help']);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /--listen-client-urls 'http:\/\/localhost:2379'/);
  assert.match(result.stdout, /--initial-cluster-token 'etcd-cluster'/);
  assert.match(result.stdout, /ETCD_DATA_DIR/);
});

test('an undefined flag: Go\'s message, the usage, exit code 2, as etcd', () => {
  const result = runCairnSync(['--foo']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^flag provided but not defined: -foo\nUsage:/);
  assert.equal(result.stdout, '');
});

test('bad values and stray arguments are clear errors', () => {
  const badValue = runCairnSync(['--heartbeat-interval', 'fast']);
  assert.equal(badValue.status, 2);
  assert.match(badValue.stderr, /invalid value "fast" for flag -heartbeat-interval: parse error/);
  const stray = runCairnSync(['--name', 'a', 'extra']);
  assert.equal(stray.status, 1);
  assert.match(stray.stderr, /^cairn: 'extra' is not a valid flag/);
  const timing = runCairnSync(['--heartbeat-interval', '500']);
  assert.equal(timing.status, 1);
  assert.match(timing.stderr, /--election-timeout\[1000ms\] should be at least as 5 times as --heartbeat-interval\[500ms\]/);
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-retention-'));
  try {
    const retention = runCairnSync(['--auto-compaction-retention', 'soon', '--listen-client-urls', 'http://127.0.0.1:0', '--advertise-client-urls', 'http://127.0.0.1:2379', '--data-dir', dataDir]);
    assert.equal(retention.status, 1);
    assert.match(retention.stderr, /"level":"fatal".*auto-compaction-retention \\"soon\\"/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const env = runCairnSync([], { ETCD_ELECTION_TIMEOUT: 'soon' });
  assert.equal(env.status, 1);
  assert.match(env.stderr, /invalid value "soon" for ETCD_ELECTION_TIMEOUT/);
  const shadowed = runCairnSync(['--name', 'a'], { ETCD_NAME: 'b' });
  assert.equal(shadowed.status, 1);
  assert.match(shadowed.stderr, /conflicting environment variable "ETCD_NAME"/);
});

test('a malformed config file is refused with the file and the key named, exit code 1', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-conf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[string, RegExp]> = [
    ['name: [unclosed\n', /invalid YAML/],
    ['nmae: typo\n', /unknown key "nmae"/],
    ['heartbeat-interval: "100"\n', /"heartbeat-interval" must be a non-negative integer, got string "100"/],
    ['listen-client-urls: tcp://127.0.0.1:2379\n', /"listen-client-urls": URL scheme must be http, https, unix, or unixs/],
    ['client-transport-security:\n  certfile: x\n', /unknown key "client-transport-security.certfile"/],
  ];
  for (const [i, [text, message]] of cases.entries()) {
    const file = join(dir, `bad-${i}.yaml`);
    writeFileSync(file, text);
    const result = runCairnSync(['--config-file', file]);
    assert.equal(result.status, 1, text);
    assert.ok(result.stderr.includes(file), `the error names the file: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  const missing = runCairnSync(['--config-file', join(dir, 'missing.yaml')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read config file .*missing.yaml: no such file/);
});

test('a member alone reads its peer TLS files at start: a missing one stops it before anything is written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-peer-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [client, peer] = await freePorts(2);
  const p = `https://127.0.0.1:${peer}`;
  const result = runCairnSync([
    '--data-dir', join(dir, 'data'), '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `default=${p}`,
    '--peer-cert-file', join(dir, 'missing.crt'), '--peer-key-file', join(dir, 'missing.key'),
  ]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /"err":"transport: cannot read --peer-cert-file [^"]*missing\.crt: ENOENT","msg":"cannot start the member"/);
  assert.equal(existsSync(join(dir, 'data')), false);
});
