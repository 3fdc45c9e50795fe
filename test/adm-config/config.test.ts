// The cairnadm configuration file: defaults, validation naming field and line, the example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ConfigError,
  DEFAULTS,
  certificateOptions,
  initDefaults,
  loadConfigFile,
  memberRenderInput,
  parseConfig,
  peerUrl,
  withBaseDir,
} from '../../src/adm/config';
import { checkConfigFile, renderConfigFile, renderStaticPod, checkStaticPod } from '../../src/render';
import { repoRoot } from '../pki/fixture-keys';

const env = { SSH_AUTH_SOCK: '/run/agent.sock' };
const opts = { homeDir: '/home/op', env };

/** The messages of a ConfigError, formatted as users see them. */
function problems(text: string): string[] {
  try {
    parseConfig(text, opts);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}${i.line ? ` (line ${i.line})` : ''}`);
  }
  assert.fail('expected a ConfigError');
}

test('init-defaults is a complete example that parses to the defaults', () => {
  const text = initDefaults();
  const c = parseConfig(text, opts);
  assert.equal(c.clusterName, DEFAULTS.clusterName);
  assert.equal(c.token, DEFAULTS.clusterName);
  assert.equal(c.runtime, 'systemd');
  assert.equal(c.keyAlgorithm, 'rsa-2048');
  assert.equal(c.certificates.validityMs, 365 * 86_400_000);
  assert.equal(c.certificates.caValidityMs, 3650 * 86_400_000);
  assert.deepEqual(c.paths, DEFAULTS.paths);
  assert.deepEqual(c.ports, DEFAULTS.ports);
  assert.equal(c.ssh.connectTimeoutMs, 10_000);
  assert.deepEqual(c.hosts.map((h) => [h.name, h.address, h.advertiseAddress, h.port, h.user, h.knownHostsFile]), [
    ['cp-1', '10.0.0.11', '10.0.0.11', 22, 'root', '/home/op/.ssh/known_hosts'],
    ['cp-2', '10.0.0.12', '10.0.0.12', 22, 'root', '/home/op/.ssh/known_hosts'],
    ['cp-3', '10.0.0.13', '10.0.0.13', 22, 'root', '/home/op/.ssh/known_hosts'],
  ]);
  // Every top-level field appears in the example, so it documents them all.
  for (const key of ['apiVersion', 'kind', 'clusterName', 'token', 'runtime', 'keyAlgorithm', 'certificates', 'paths', 'ports', 'staticPod', 'extraArgs', 'ssh', 'hosts']) {
    assert.match(text, new RegExp(`^${key}:`, 'm'), key);
  }
});

test('init-defaults text matches its golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
  const file = path.join(repoRoot(), 'test', 'adm-config', 'testdata', 'init-defaults.golden');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, initDefaults());
  assert.ok(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`);
  assert.equal(initDefaults(), readFileSync(file, 'utf8'));
});

test('a minimal file: one host, everything else defaulted', () => {
  const c = parseConfig('hosts:\n- name: etcd-a\n  address: 192.0.2.10\n', opts);
  assert.equal(c.apiVersion, 'cairnadm/v1alpha1');
  assert.equal(c.hosts[0].advertiseAddress, '192.0.2.10');
  assert.equal(c.hosts[0].privateKeyFile, undefined);
  assert.equal(c.hosts[0].agent, undefined);
  assert.deepEqual(c.extraArgs, {});
});

test('a missing field is named with its line', () => {
  const text = [
    'clusterName: prod', // 1
    'token: prod-etcd', // 2
    'hosts:', // 3
    '- name: cp-1', // 4
    '  address: 10.0.0.11', // 5
    '- name: cp-2', // 6
    '  user: admin', // 7
  ].join('\n');
  assert.deepEqual(problems(text), ['hosts[1].address: required (line 6)']);
  assert.throws(() => parseConfig(text, { ...opts, file: 'cluster.yaml' }), { message: 'config: cluster.yaml: hosts[1].address: required (line 6)' });
});

test('wrong types, unknown fields and bad values, each with its line', () => {
  const text = [
    'runtime: docker', // 1
    'keyAlgorithm: ed25519', // 2
    'certificates:', // 3
    '  validity: 1d', // 4
    '  caValidity: 30m', // 5
    '  serverCertSANs: [ok.example, "bad san"]', // 6
    'paths:', // 7
    '  dataDir: var/lib/etcd', // 8
    'ports: {client: 2379, peer: 2379}', // 9
    'colour: blue', // 10
    'hosts:', // 11
    '- name: CP_1', // 12
    '  address: cp-1.example', // 13
    '  port: "22"', // 14
    '  adress: typo', // 15
  ].join('\n');
  assert.deepEqual(problems(text), [
    'runtime: must be one of systemd, static-pod, process, not "docker" (line 1)',
    'keyAlgorithm: must be one of rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384, not "ed25519" (line 2)',
    'certificates.validity: must be a duration such as 8760h (units h, m, s, ms), not "1d" (line 4)',
    'certificates.caValidity: must be at least 1h, not "30m" (line 5)',
    'certificates.serverCertSANs[1]: "bad san" is neither an IP address nor a DNS name (line 6)',
    'paths.dataDir: must be an absolute path, not "var/lib/etcd" (line 8)',
    'ports: client, peer and metrics ports must differ (2379, 2379, 2381) (line 9)',
    'colour: unknown field (known: apiVersion, kind, clusterName, token, runtime, keyAlgorithm, certificates, paths, ports, staticPod, extraArgs, ssh, hosts) (line 10)',
    'hosts[0].name: "CP_1" must be a lowercase DNS name (letters, digits, \'-\' and \'.\'), as it becomes the certificates\' CN and SAN (line 12)',
    'hosts[0].advertiseAddress: required when address (cp-1.example) is not an IP address (line 12)',
    'hosts[0].port: must be an integer from 1 to 65535, not "22" (line 14)',
    'hosts[0].adress: unknown field; did you mean address? (line 15)',
  ]);
});

test('YAML syntax errors and non-mappings', () => {
  const [syntax, ...rest] = problems('hosts:\n- name: a\n  address: [1.2.3.4\n');
  assert.match(syntax, /^\(file\): not valid YAML: .+ \(line 4\)$/);
  assert.deepEqual(rest, []);
  assert.deepEqual(problems('- a\n- b\n'), ['(file): the configuration must be a YAML mapping, not a list (line 1)', 'hosts: required: list at least one host (line 1)']);
  assert.deepEqual(problems(''), ['(file): the configuration must be a YAML mapping, not nothing', 'hosts: required: list at least one host']);
  assert.deepEqual(problems('hosts: []\n'), ['hosts: list at least one host (line 1)']);
  assert.deepEqual(problems('hosts: [{name: a, address: 0.0.0.0}]\n'), ["hosts[0].address: 0.0.0.0 listens everywhere but cannot be advertised; give the host's own IP (line 1)"]);
  assert.deepEqual(problems('hosts: [cp-1]\n'), ['hosts[0]: must be a mapping with name and address, not "cp-1" (line 1)']);
});

test('hosts: duplicates, address clashes, and per-host ports', () => {
  const dup = 'hosts:\n- {name: a, address: 10.0.0.1}\n- {name: a, address: 10.0.0.1}\n';
  assert.deepEqual(problems(dup), [
    'hosts[1].name: same as hosts[0].name (line 3)',
    'hosts[1].address: same as hosts[0].address (line 3)',
    'hosts[1].ports: 10.0.0.1:2379 is also used by hosts[0] (give members on one address different ports) (line 3)',
  ]);
  const local = [
    'hosts:',
    '- {name: a, address: 127.0.0.1, port: 2201}',
    '- {name: b, address: 127.0.0.1, port: 2202, ports: {client: 3379, peer: 3380, metrics: 3381}}',
  ].join('\n');
  const c = parseConfig(local, opts);
  assert.deepEqual(c.hosts[1].ports, { client: 3379, peer: 3380, metrics: 3381 });
  assert.equal(peerUrl(c.hosts[1]), 'https://127.0.0.1:3380');
});

test('SSH settings: defaults, overrides, ~ and the agent', () => {
  const text = [
    'ssh:',
    '  user: ops',
    '  port: 2222',
    '  privateKeyFile: ~/.ssh/cairn',
    '  agent: true',
    'hosts:',
    '- name: a',
    '  address: a.example',
    '  advertiseAddress: fd00::1',
    '- name: b',
    '  address: 10.0.0.2',
    '  user: root',
    '  privateKeyFile: /keys/b',
    '  agent: /tmp/other.sock',
    '  knownHostsFile: ~/kh',
  ].join('\n');
  const c = parseConfig(text, opts);
  assert.deepEqual(
    c.hosts.map((h) => [h.user, h.port, h.privateKeyFile, h.agent, h.knownHostsFile, h.advertiseAddress]),
    [
      ['ops', 2222, '/home/op/.ssh/cairn', '/run/agent.sock', '/home/op/.ssh/known_hosts', 'fd00::1'],
      ['root', 2222, '/keys/b', '/tmp/other.sock', '/home/op/kh', '10.0.0.2'],
    ],
  );
  assert.equal(peerUrl(c.hosts[0]), 'https://[fd00::1]:2380');
  assert.throws(() => parseConfig('ssh: {agent: true}\nhosts: [{name: a, address: 10.0.0.1}]\n', { homeDir: '/h', env: {} }), /ssh\.agent: true, but SSH_AUTH_SOCK is not set/);
});

test('extra flags: typed values kept, cairnadm\'s own refused', () => {
  const c = parseConfig('extraArgs:\n  heartbeat-interval: 200\n  auto-compaction-retention: "8"\n  pre-vote: true\nhosts: [{name: a, address: 10.0.0.1}]\n', opts);
  assert.deepEqual(c.extraArgs, { 'heartbeat-interval': 200, 'auto-compaction-retention': '8', 'pre-vote': true });
  assert.deepEqual(problems('extraArgs:\n  initial-cluster: x=y\n  --debug: true\n  pre-vote: [1]\nhosts: [{name: a, address: 10.0.0.1}]\n'), [
    'extraArgs.initial-cluster: set by cairnadm for each member; use the hosts list (cairnadm computes it) (line 2)',
    'extraArgs.--debug: not an etcd 3.4 server flag (write flags without the leading --) (line 3)',
    'extraArgs.pre-vote: must be a string, number or boolean, not a list (line 4)',
  ]);
});

test('the configuration feeds the PKI and render inputs; rendered files check out', () => {
  const c = parseConfig(initDefaults().replace('  # heartbeat-interval: 100', '  heartbeat-interval: 200'), opts);
  const members = c.hosts.map((h) => ({ name: h.name, peerUrl: peerUrl(h) }));
  const input = memberRenderInput(c, 'cp-2', { initialCluster: members, initialClusterState: 'existing' });
  assert.equal(input.cairnBinary, '/opt/cairn/bin/cairn');
  assert.equal(input.initialClusterToken, 'cairn');
  const file = renderConfigFile(input);
  assert.deepEqual(checkConfigFile(file), []);
  assert.match(file, /^initial-cluster: cp-1=https:\/\/10\.0\.0\.11:2380,cp-2=https:\/\/10\.0\.0\.12:2380,cp-3=https:\/\/10\.0\.0\.13:2380$/m);
  assert.match(file, /^heartbeat-interval: 200$/m);
  assert.deepEqual(checkStaticPod(renderStaticPod(memberRenderInput(c, 'cp-1'))), []);
  const certs = certificateOptions(c, 'cp-3');
  assert.deepEqual(certs.host, { name: 'cp-3', advertiseAddress: '10.0.0.13' });
  assert.equal(certs.certificatesDir, '/etc/kubernetes/pki');
  assert.equal(certs.keyAlgorithm, 'rsa-2048');
  assert.throws(() => memberRenderInput(c, 'cp-9'), /config: hosts: no host named "cp-9" \(hosts: cp-1, cp-2, cp-3\)/);
});

test('withBaseDir puts every file under one directory', () => {
  const c = withBaseDir(parseConfig('hosts: [{name: a, address: 127.0.0.1}]\n', opts), '/tmp/cairn-local');
  assert.deepEqual(c.paths, {
    certificatesDir: '/tmp/cairn-local/pki',
    manifestFile: '/tmp/cairn-local/manifests/etcd.yaml',
    dataDir: '/tmp/cairn-local/data',
    configFile: '/tmp/cairn-local/cairn.yaml',
    unitFile: '/tmp/cairn-local/cairn.service',
    installDir: '/tmp/cairn-local/install',
  });
});

test('loadConfigFile reads a file and names it in errors', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-config-'));
  try {
    const file = path.join(dir, 'cairnadm.yaml');
    writeFileSync(file, 'hosts:\n- name: a\n');
    await assert.rejects(loadConfigFile(file, opts), { message: `config: ${file}: hosts[0].address: required (line 2)` });
    writeFileSync(file, 'hosts:\n- name: a\n  address: 10.0.0.1\n');
    assert.equal((await loadConfigFile(file, opts)).hosts[0].name, 'a');
    await assert.rejects(loadConfigFile(path.join(dir, 'nope.yaml'), opts), { message: `config: ${path.join(dir, 'nope.yaml')}: (file): cannot read: ENOENT` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
