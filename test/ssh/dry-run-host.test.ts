// DryRunHost over a real SSH host and over LocalHost: changes are printed and recorded, not made;
// reads and read-only commands still reach the host.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DryRunHost, LocalHost, SshHost } from '../../src/ssh';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts';

let hosts: SshdHosts;
let real: SshHost;
const dir = mkdtempSync(join(tmpdir(), 'cairn-dry-run-'));
const T = { timeoutMs: 20_000 };

before(async () => {
  hosts = await startSshdHosts({ count: 1 });
  const node = hosts.hosts[0];
  real = new SshHost({ name: node.name, address: node.address, port: node.port, user: node.user, keyFile: node.keyFile, knownHosts: node.knownHosts });
});

after(async () => {
  await real?.close();
  await hosts?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('over SSH: writes, commands and removals are printed and recorded, and the host is unchanged', async () => {
  await real.upload('/etc/kubernetes/existing.conf', 'keep me', { mode: 0o644 });
  const lines: string[] = [];
  const dry = new DryRunHost(real, { print: (line) => lines.push(line) });
  assert.equal(dry.name, 'node1');
  assert.equal(dry.address, real.address);

  const local = join(dir, 'bundle.tar');
  writeFileSync(local, Buffer.alloc(4096));
  await dry.upload('/etc/kubernetes/pki/etcd/ca.key', 'x'.repeat(1679), { mode: 0o600 });
  await dry.upload('/opt/cairn/bundle.tar', { localFile: local }, { mode: 0o755 });
  assert.deepEqual(await dry.exec('systemctl daemon-reload && systemctl start cairn', T), { code: 0, stdout: '', stderr: '' });
  await dry.remove('/etc/kubernetes/existing.conf');
  await dry.remove('/var/lib/etcd', { recursive: true });

  assert.deepEqual(lines, [
    '[dryrun] Would write file /etc/kubernetes/pki/etcd/ca.key (mode 0600, 1679 bytes) on node1',
    '[dryrun] Would write file /opt/cairn/bundle.tar (mode 0755, 4096 bytes) on node1',
    '[dryrun] Would run on node1: systemctl daemon-reload && systemctl start cairn',
    '[dryrun] Would remove /etc/kubernetes/existing.conf on node1',
    '[dryrun] Would remove /var/lib/etcd and everything under it on node1',
  ]);
  assert.deepEqual(dry.actions, [
    { kind: 'upload', path: '/etc/kubernetes/pki/etcd/ca.key', mode: 0o600, size: 1679 },
    { kind: 'upload', path: '/opt/cairn/bundle.tar', mode: 0o755, size: 4096 },
    { kind: 'exec', command: 'systemctl daemon-reload && systemctl start cairn' },
    { kind: 'remove', path: '/etc/kubernetes/existing.conf', recursive: false },
    { kind: 'remove', path: '/var/lib/etcd', recursive: true },
  ]);

  // nothing changed on the host
  assert.equal(await real.exists('/etc/kubernetes/pki'), false);
  assert.equal(await real.exists('/opt/cairn/bundle.tar'), false);
  assert.equal((await real.read('/etc/kubernetes/existing.conf')).toString(), 'keep me');
  assert.equal(await real.exists('/var/lib/etcd'), true);
});

test('over SSH: reads and read-only commands reach the host and are not recorded', async () => {
  const lines: string[] = [];
  const dry = new DryRunHost(real, { print: (line) => lines.push(line) });
  await real.upload('/etc/kubernetes/read-me', 'real content', { mode: 0o644 });
  assert.equal((await dry.read('/etc/kubernetes/read-me')).toString(), 'real content');
  assert.equal(await dry.exists('/etc/kubernetes/read-me'), true);
  assert.equal(await dry.exists('/etc/kubernetes/absent'), false);
  assert.deepEqual(await dry.exec('hostname; exit 3', { ...T, readOnly: true }), { code: 3, stdout: 'node1\n', stderr: '' });
  assert.deepEqual(lines, []);
  assert.deepEqual(dry.actions, []);
});

test('over LocalHost: the same, and bad arguments fail as they would for real', async () => {
  const lines: string[] = [];
  const dry = new DryRunHost(new LocalHost({ name: 'here' }), { print: (line) => lines.push(line) });
  const target = join(dir, 'local/never.txt');
  await dry.upload(target, 'abc', { mode: 0o644 });
  assert.equal(existsSync(target), false);
  assert.deepEqual(lines, [`[dryrun] Would write file ${target} (mode 0644, 3 bytes) on here`]);
  await assert.rejects(dry.upload('relative', 'x', { mode: 0o644 }), /ssh: path must be absolute/);
  await assert.rejects(dry.exec('true', { timeoutMs: 0 }), /ssh: exec needs a positive timeoutMs/);
  await assert.rejects(dry.remove('/'), /ssh: refusing to remove \//);
  assert.equal(lines.length, 1);
});
