// The test-host harness itself: each host is its own machine as far as /etc/kubernetes,
// /var/lib/etcd, /etc/systemd/system, root's home and the host name go, and stop() leaves nothing.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { SshHost } from '../../src/ssh';
import { processesInNamespace } from '../support/ssh-namespace';
import { startSshdHosts, type SshdHosts, type SshdTestHost } from '../support/sshd-hosts';

let hosts: SshdHosts;
let a: SshHost;
let b: SshHost;
const T = { timeoutMs: 20_000 };

function connect(node: SshdTestHost): SshHost {
  return new SshHost({ name: node.name, address: node.address, port: node.port, user: node.user, keyFile: node.keyFile, knownHosts: node.knownHosts });
}

before(async () => {
  hosts = await startSshdHosts({ count: 2 });
  [a, b] = hosts.hosts.map(connect);
});

after(async () => {
  await a?.close();
  await b?.close();
  await hosts?.stop();
});

test('each host has its own loopback address, host key and name', async () => {
  const [n1, n2] = hosts.hosts;
  assert.match(n1.address, /^127\.0\.0\.\d+$/);
  assert.notEqual(n1.address, n2.address);
  assert.notEqual(n1.hostPublicKey, n2.hostPublicKey);
  assert.equal((await a.exec('hostname', T)).stdout, 'node1\n');
  assert.equal((await b.exec('hostname', T)).stdout, 'node2\n');
  // the connection really arrives at the host's own address
  assert.equal((await a.exec('echo $SSH_CONNECTION', T)).stdout.split(' ')[2], n1.address);
});

test('a file written under a private dir on host A is seen neither on host B nor on this machine', async () => {
  const tag = `private-${process.pid}-${Date.now()}`;
  for (const dir of ['/etc/kubernetes', '/var/lib/etcd', '/etc/systemd/system', '/root']) {
    const path = `${dir}/${tag}`;
    await a.upload(path, 'on A', { mode: 0o600 });
    assert.equal(await a.exists(path), true, `${path} on A`);
    assert.equal(await b.exists(path), false, `${path} on B`);
    assert.equal((await b.exec(`test -e ${path}`, T)).code, 1, `${path} on B through the shell`);
    assert.equal(existsSync(path), false, `${path} on this machine`);
    assert.equal(readFileSync(`${hosts.hosts[0].rootDir}${path}`, 'utf8'), 'on A', 'it is in A\'s rootDir');
  }
  // paths outside the private dirs are shared, as the harness documents
  const shared = `/tmp/cairn-shared-${tag}`;
  await a.upload(shared, 'shared', { mode: 0o644 });
  assert.equal((await b.read(shared)).toString(), 'shared');
  await b.remove(shared);
});

test('/var/lib/etcd starts empty and private to root, like a fresh machine', async () => {
  const out = await b.exec('stat -c "%a %U" /var/lib/etcd; ls -A /var/lib/etcd | wc -l', T);
  assert.equal(out.stdout, '700 root\n0\n');
});

test('stop() ends every process of the hosts, also ones started in the background, and removes the files', async () => {
  const extra = await startSshdHosts({ count: 1 });
  const node = extra.hosts[0];
  assert.ok(!hosts.hosts.some((h) => h.address === node.address), 'a second set of hosts started meanwhile gets other addresses');
  const host = connect(node);
  try {
    // a daemon that left sshd's session: only its mount namespace still ties it to the host
    const started = await host.exec('setsid sleep 300 </dev/null >/dev/null 2>&1 & echo started', T);
    assert.equal(started.stdout, 'started\n');
    assert.ok(processesInNamespace(node.mountNamespace).length >= 2, 'sshd and the daemon are in the namespace');
  } finally {
    await host.close();
    await extra.stop();
  }
  assert.deepEqual(processesInNamespace(node.mountNamespace), []);
  assert.equal(existsSync(node.rootDir), false);
  assert.equal(existsSync(node.keyFile), false);
});
