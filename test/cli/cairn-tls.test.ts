import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../support/ports';
import { get } from '../server-edge/http-get';
import { makeTestPki, type TestPki } from '../server-edge/tls-fixtures';
import { etcdctl, hasEtcdctl, startCairn } from './cairn-process';

const skip = hasEtcdctl() ? false : 'the real etcdctl is not installed (Debian etcd-client)';

let pki: TestPki;
before(() => { pki = makeTestPki(); });
after(() => pki?.remove());

test('a config file in etcd\'s format with client certificate auth: etcdctl with a CA-signed certificate works, without one it is refused', { skip }, async (t) => {
  const [clientPort, peerPort] = await freePorts(2);
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const peer = `https://127.0.0.1:${peerPort}`;
  const cairnDir = pki.dir;
  const configFile = join(cairnDir, 'cairn.yaml');
  writeFileSync(configFile, [
    'name: infra0',
    `data-dir: ${join(cairnDir, 'infra0.data')}`,
    `listen-client-urls: ${endpoint}`,
    `advertise-client-urls: ${endpoint}`,
    `listen-peer-urls: ${peer}`,
    `initial-advertise-peer-urls: ${peer}`,
    'initial-cluster-token: etcd-cluster-1',
    `initial-cluster: infra0=${peer}`,
    'initial-cluster-state: new',
    'client-transport-security:',
    `  cert-file: ${pki.serverCert}`,
    `  key-file: ${pki.serverKey}`,
    '  client-cert-auth: true',
    `  trusted-ca-file: ${pki.caFile}`,
    'peer-transport-security:',
    `  cert-file: ${pki.serverCert}`,
    `  key-file: ${pki.serverKey}`,
    '  client-cert-auth: true',
    `  trusted-ca-file: ${pki.caFile}`,
    '',
  ].join('\n'));
  // flags and variables next to --config-file are ignored, as etcd ignores them
  const cairn = await startCairn({ args: ['--config-file', configFile, '--name', 'ignored'], env: { ETCD_INITIAL_CLUSTER_TOKEN: 'ignored' }, dataDir: cairnDir });
  t.after(() => cairn.stop('SIGKILL'));

  const tlsArgs = ['--cacert', pki.caFile, '--cert', pki.clientCert, '--key', pki.clientKey];
  const put = etcdctl(endpoint, [...tlsArgs, 'put', 'secure', 'value']);
  assert.equal(put.status, 0, put.stderr);
  assert.equal(etcdctl(endpoint, [...tlsArgs, 'get', 'secure', '--print-value-only']).stdout, 'value\n');
  const health = etcdctl(endpoint, [...tlsArgs, 'endpoint', 'health']);
  assert.equal(health.status, 0, health.stderr);
  const members = etcdctl(endpoint, [...tlsArgs, 'member', 'list']);
  assert.match(members.stdout, new RegExp(`, started, infra0, ${peer}, ${endpoint}, false`));

  const noCert = etcdctl(endpoint, ['--cacert', pki.caFile, '--dial-timeout', '2s', 'get', 'secure']);
  assert.notEqual(noCert.status, 0);
  const stranger = etcdctl(endpoint, ['--cacert', pki.caFile, '--cert', pki.strangerCert, '--key', pki.strangerKey, '--dial-timeout', '2s', 'get', 'secure']);
  assert.notEqual(stranger.status, 0);

  const https = await get(`${endpoint}/health`, { ca: pki.read(pki.caFile), cert: pki.read(pki.clientCert), key: pki.read(pki.clientKey) });
  assert.deepEqual([https.status, https.body], [200, '{"health":"true"}']);
  await assert.rejects(get(`${endpoint}/health`, { ca: pki.read(pki.caFile) }));

  assert.match(cairn.log(), /"msg":"serving client traffic securely"/);
  assert.deepEqual(await cairn.stop('SIGTERM'), { code: 0, signal: null });
});

test('--auto-tls generates a certificate under the data dir, key mode 0600', { skip }, async (t) => {
  const [clientPort] = await freePorts(1);
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const cairn = await startCairn({ args: ['--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--auto-tls'] });
  t.after(async () => { await cairn.stop('SIGKILL'); cairn.cleanup(); });
  // etcdctl needs --insecure-transport=false to speak TLS without a CA, as with etcd's --auto-tls
  const put = etcdctl(endpoint, ['--insecure-transport=false', '--insecure-skip-tls-verify', 'put', 'k', 'v']);
  assert.equal(put.status, 0, put.stderr);
  assert.equal(statSync(join(cairn.dataDir, 'data', 'fixtures', 'client', 'key.pem')).mode & 0o777, 0o600);
  assert.ok(statSync(join(cairn.dataDir, 'data', 'fixtures', 'client', 'cert.pem')).size > 0);
  // the certificate names 127.0.0.1, so a client that pins it as CA verifies it
  const verified = etcdctl(endpoint, ['--cacert', join(cairn.dataDir, 'data', 'fixtures', 'client', 'cert.pem'), 'get', 'k', '--print-value-only']);
  assert.equal(verified.stdout, 'v\n', verified.stderr);
});
