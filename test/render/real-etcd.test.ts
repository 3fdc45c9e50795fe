// The rendered files are genuine etcd configuration: real etcd 3.4 starts from them with TLS
// certificates from our PKI, and etcdctl with the generated client certificate talks to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureCertificates, localPkiFiles, KeyAlgorithm } from '../../src/pki';
import { memberCommand, renderConfigFile, ClusterMember } from '../../src/render';
import { fixtureKeyGenerator } from '../pki/fixture-keys';
import { freePorts } from '../support/ports';
import { etcdctl, hasEtcdAndEtcdctl, healthcheckClient, startEtcd, waitHealthy, Running } from './etcd-process';
import { memberInput } from './inputs';

const skip = hasEtcdAndEtcdctl() ? false : 'etcd and etcdctl (Debian etcd-server, etcd-client) are not installed';
const now = new Date(Math.floor(Date.now() / 1000) * 1000);

async function pkiFor(certificatesDir: string, name: string, caFrom?: string, keyAlgorithm: KeyAlgorithm = 'rsa-2048'): Promise<void> {
  if (caFrom) {
    mkdirSync(path.join(certificatesDir, 'etcd'), { recursive: true });
    for (const f of ['ca.crt', 'ca.key']) copyFileSync(path.join(caFrom, 'etcd', f), path.join(certificatesDir, 'etcd', f));
  }
  await ensureCertificates(localPkiFiles(), {
    certificatesDir,
    host: { name, advertiseAddress: '127.0.0.1' },
    generateKey: fixtureKeyGenerator(),
    keyAlgorithm,
    clock: () => now,
  });
}

test('real etcd starts from the rendered config file and serves TLS clients', { skip }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-render-'));
  let etcd: Running | undefined;
  try {
    const [client, peer, metrics] = await freePorts(3);
    const certificatesDir = path.join(dir, 'pki');
    await pkiFor(certificatesDir, 'member-1');
    const configFile = path.join(dir, 'cairn.yaml');
    const input = memberInput({
      name: 'member-1',
      advertiseAddress: '127.0.0.1',
      ports: { client, peer, metrics },
      dataDir: path.join(dir, 'data'),
      certificatesDir,
      configFile,
      extraArgs: { 'heartbeat-interval': 50, 'election-timeout': 500, 'experimental-watch-progress-notify-interval': '5s', 'log-level': 'warn' },
    });
    writeFileSync(configFile, renderConfigFile(input));
    etcd = startEtcd(['--config-file', configFile]);
    const endpoint = `https://127.0.0.1:${client}`;
    const tls = healthcheckClient(certificatesDir);
    assert.match(await waitHealthy(endpoint, tls, etcd), new RegExp(`${endpoint} is healthy`));
    assert.equal(etcdctl(endpoint, tls, ['put', 'rendered', 'yes']).status, 0);
    assert.equal(etcdctl(endpoint, tls, ['get', 'rendered', '--print-value-only']).out.trim(), 'yes');
    const apiserver = { cacert: tls.cacert, cert: path.join(certificatesDir, 'apiserver-etcd-client.crt'), key: path.join(certificatesDir, 'apiserver-etcd-client.key') };
    assert.match(etcdctl(endpoint, apiserver, ['member', 'list']).out, new RegExp(`member-1, https://127.0.0.1:${peer}, https://127.0.0.1:${client}, false`));
    // Without a client certificate the server refuses (client-cert-auth is on).
    const anonymous = etcdctl(endpoint, { ...tls, cert: '', key: '' }, ['get', 'rendered']);
    assert.notEqual(anonymous.status, 0);
    // The metrics URL is plain HTTP on localhost, where the kubelet probes.
    const res = await fetch(`http://127.0.0.1:${metrics}/health`);
    assert.equal(res.status, 200);
  } finally {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real etcd accepts the static pod command line (the same settings as flags), with ECDSA certificates', { skip }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-render-'));
  let etcd: Running | undefined;
  try {
    const [client, peer, metrics] = await freePorts(3);
    const certificatesDir = path.join(dir, 'pki');
    await pkiFor(certificatesDir, 'member-1', undefined, 'ecdsa-p384');
    const input = memberInput({
      name: 'member-1',
      advertiseAddress: '127.0.0.1',
      ports: { client, peer, metrics },
      dataDir: path.join(dir, 'data'),
      certificatesDir,
      extraArgs: { 'heartbeat-interval': 50, 'election-timeout': 500 },
    });
    const [, ...flags] = memberCommand(input);
    etcd = startEtcd(flags);
    await waitHealthy(`https://127.0.0.1:${client}`, healthcheckClient(certificatesDir), etcd);
  } finally {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('three real etcd members form one cluster from rendered config files', { skip }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-render-'));
  const running: Running[] = [];
  try {
    const ports = await freePorts(9);
    const names = ['m1', 'm2', 'm3'];
    const cluster: ClusterMember[] = names.map((name, i) => ({ name, peerUrl: `https://127.0.0.1:${ports[i * 3 + 1]}` }));
    for (const [i, name] of names.entries()) {
      const certificatesDir = path.join(dir, name, 'pki');
      await pkiFor(certificatesDir, name, i === 0 ? undefined : path.join(dir, 'm1', 'pki'));
      const configFile = path.join(dir, name, 'cairn.yaml');
      const input = memberInput({
        name,
        advertiseAddress: '127.0.0.1',
        ports: { client: ports[i * 3], peer: ports[i * 3 + 1], metrics: ports[i * 3 + 2] },
        dataDir: path.join(dir, name, 'data'),
        certificatesDir,
        configFile,
        initialCluster: cluster,
        initialClusterToken: 'render-test',
        extraArgs: { 'heartbeat-interval': 50, 'election-timeout': 500, 'log-level': 'warn' },
      });
      writeFileSync(configFile, renderConfigFile(input));
      running.push(startEtcd(['--config-file', configFile]));
    }
    for (const [i, name] of names.entries()) {
      await waitHealthy(`https://127.0.0.1:${ports[i * 3]}`, healthcheckClient(path.join(dir, name, 'pki')), running[i]);
    }
    const list = etcdctl(`https://127.0.0.1:${ports[6]}`, healthcheckClient(path.join(dir, 'm3', 'pki')), ['member', 'list']);
    assert.equal(list.status, 0, list.out);
    assert.equal(list.out.trim().split('\n').length, 3);
    for (const name of names) assert.match(list.out, new RegExp(`, started, ${name}, `));
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a member joins as a learner with a rendered "existing" config and is promoted', { skip }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-render-'));
  const running: Running[] = [];
  try {
    const ports = await freePorts(6);
    const inputFor = (name: string, i: number, initialCluster: ClusterMember[], state: 'new' | 'existing') =>
      memberInput({
        name,
        advertiseAddress: '127.0.0.1',
        ports: { client: ports[i * 3], peer: ports[i * 3 + 1], metrics: ports[i * 3 + 2] },
        dataDir: path.join(dir, name, 'data'),
        certificatesDir: path.join(dir, name, 'pki'),
        configFile: path.join(dir, name, 'cairn.yaml'),
        initialCluster,
        initialClusterState: state,
        extraArgs: { 'heartbeat-interval': 50, 'election-timeout': 500, 'log-level': 'warn' },
      });
    await pkiFor(path.join(dir, 'm1', 'pki'), 'm1');
    const first = inputFor('m1', 0, [], 'new');
    writeFileSync(first.configFile, renderConfigFile(first));
    running.push(startEtcd(['--config-file', first.configFile]));
    const endpoint = `https://127.0.0.1:${ports[0]}`;
    const tls = healthcheckClient(first.certificatesDir);
    await waitHealthy(endpoint, tls, running[0]);

    // etcdctl prints the initial cluster the new member must start with, as kubeadm reads it from the add response.
    const add = etcdctl(endpoint, tls, ['member', 'add', 'm2', '--learner', `--peer-urls=https://127.0.0.1:${ports[4]}`]);
    assert.equal(add.status, 0, add.out);
    const cluster = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(add.out)?.[1];
    assert.ok(cluster, add.out);
    const members = cluster.split(',').map((m) => {
      const [name, peerUrl] = m.split('=');
      return { name, peerUrl };
    });
    await pkiFor(path.join(dir, 'm2', 'pki'), 'm2', path.join(dir, 'm1', 'pki'));
    const second = inputFor('m2', 1, members, 'existing');
    const text = renderConfigFile(second);
    assert.match(text, /^initial-cluster-state: existing$/m);
    writeFileSync(second.configFile, text);
    running.push(startEtcd(['--config-file', second.configFile]));

    // A learner that has not caught up yet is refused promotion; retry, bounded (40 x 250 ms).
    // etcdctl pads the ID to 16 columns ("Member  dabaacc6428f7d6 added" for a 15-digit one)
    const id = /Member +([0-9a-f]+) added/.exec(add.out)?.[1];
    assert.ok(id, add.out);
    let promoted = '';
    for (let i = 0; i < 40 && !/promoted/.test(promoted); i++) {
      promoted = etcdctl(endpoint, tls, ['member', 'promote', id]).out;
      if (!/promoted/.test(promoted)) await sleep(250);
    }
    assert.match(promoted, /promoted/);
    await waitHealthy(`https://127.0.0.1:${ports[3]}`, healthcheckClient(second.certificatesDir), running[1]);
    const list = etcdctl(endpoint, tls, ['member', 'list']).out;
    assert.match(list, /, started, m2, .*, false\n?/);
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
});
