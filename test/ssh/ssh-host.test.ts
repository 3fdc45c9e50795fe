// SshHost against real sshd test hosts: commands, files and the connection it keeps.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshHost, type SshError } from '../../src/ssh';
import { startSshdHosts, type SshdHosts, type SshdTestHost } from '../support/sshd-hosts';

let hosts: SshdHosts;
let node: SshdTestHost;
let host: SshHost;
const local = mkdtempSync(join(tmpdir(), 'cairn-ssh-host-'));

before(async () => {
  hosts = await startSshdHosts({ count: 1 });
  node = hosts.hosts[0];
  host = new SshHost({ name: node.name, address: node.address, port: node.port, user: node.user, keyFile: node.keyFile, knownHosts: node.knownHosts });
});

after(async () => {
  await host?.close();
  await hosts?.stop();
  rmSync(local, { recursive: true, force: true });
});

const T = { timeoutMs: 20_000 };

/** Polls pgrep on the host (at most 50 times, 100 ms apart) until no process matches. */
async function noProcessMatches(pattern: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if ((await host.exec(`pgrep -f '${pattern}'`, T)).code === 1) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

test('exec returns exit code, stdout and stderr, and runs on the test host', async () => {
  assert.deepEqual(await host.exec('echo out; echo err >&2; exit 5', T), { code: 5, stdout: 'out\n', stderr: 'err\n' });
  assert.deepEqual(await host.exec('hostname', T), { code: 0, stdout: `${node.name}\n`, stderr: '' });
  assert.equal(host.name, node.name);
  assert.equal(host.address, `root@${node.address}:${node.port}`);
});

test('exec passes input and environment variables, quoted', async () => {
  const result = await host.exec('cat; printf "[%s][%s]" "$A" "$B"', { ...T, input: 'from stdin\n', env: { A: "x 'y' $HOME", B: '' } });
  assert.equal(result.stdout, "from stdin\n[x 'y' $HOME][]");
  assert.equal((await host.exec('cat', T)).stdout, '', 'stdin is closed when there is no input');
});

test('a command ended by a signal reports 128 + the signal number and its name', async () => {
  assert.deepEqual(await host.exec('kill -KILL $$', T), { code: 137, signal: 'KILL', stdout: '', stderr: '' });
});

test('a timeout is an error naming host and command, and sshd kills the command', async () => {
  const marker = `/tmp/cairn-timeout-${randomBytes(4).toString('hex')}`;
  await assert.rejects(host.exec(`sleep 30; touch ${marker}`, { timeoutMs: 300 }), (err: SshError) => {
    assert.equal(err.kind, 'timeout');
    assert.equal(err.message, `ssh: command timed out after 300 ms on ${node.name} (root@${node.address}:${node.port}): sleep 30; touch ${marker}`);
    return true;
  });
  assert.ok(await noProcessMatches(`[s]leep 30; touch ${marker}`), 'the timed-out command is no longer running');
  assert.equal(existsSync(marker), false);
  assert.equal((await host.exec('echo still usable', T)).stdout, 'still usable\n', 'the connection survives a timeout');
});

function loginCount(): number {
  return readFileSync(node.logFile, 'utf8').split('\n').filter((line) => line.startsWith('Accepted publickey for root')).length;
}

test('many commands at once share one connection', async () => {
  await host.exec('true', T);
  const logins = loginCount();
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => host.exec(`echo ${i}; echo e${i} >&2`, T)));
  assert.deepEqual(results.map((r) => r.stdout), Array.from({ length: 30 }, (_, i) => `${i}\n`));
  assert.deepEqual(results.map((r) => r.stderr), Array.from({ length: 30 }, (_, i) => `e${i}\n`));
  assert.equal(loginCount(), logins, 'no new login');
});

test('upload sets the mode and creates parent directories; stat over exec agrees', async () => {
  await host.upload('/etc/kubernetes/pki/etcd/ca.key', 'KEY', { mode: 0o600 });
  await host.upload('/etc/kubernetes/pki/etcd/ca.crt', Buffer.from('CRT'), { mode: 0o644 });
  const stat = await host.exec('stat -c "%a %U %s %n" /etc/kubernetes/pki/etcd/ca.key /etc/kubernetes/pki/etcd/ca.crt /etc/kubernetes/pki/etcd', T);
  assert.equal(stat.stdout, '600 root 3 /etc/kubernetes/pki/etcd/ca.key\n644 root 3 /etc/kubernetes/pki/etcd/ca.crt\n755 root 4096 /etc/kubernetes/pki/etcd\n');
  assert.equal((await host.exec('ls -A /etc/kubernetes/pki/etcd', T)).stdout, 'ca.crt\nca.key\n', 'no temporary file is left behind');
  // the files are really in the host's own /etc/kubernetes
  assert.equal(readFileSync(join(node.rootDir, '/etc/kubernetes/pki/etcd/ca.key'), 'utf8'), 'KEY');
  assert.equal(statSync(join(node.rootDir, '/etc/kubernetes/pki/etcd/ca.key')).mode & 0o7777, 0o600);
});

test('upload replaces an existing file atomically and changes its mode', async () => {
  await host.upload('/etc/kubernetes/replace.txt', 'one', { mode: 0o600 });
  await host.upload('/etc/kubernetes/replace.txt', 'two', { mode: 0o640 });
  assert.equal((await host.exec('stat -c %a /etc/kubernetes/replace.txt; cat /etc/kubernetes/replace.txt', T)).stdout, '640\ntwo');
});

test('upload of a local file of several MB arrives intact', async () => {
  const source = join(local, 'bundle.bin');
  writeFileSync(source, randomBytes(6 * 1024 * 1024 + 123));
  await host.upload('/var/lib/etcd/bundle.bin', { localFile: source }, { mode: 0o755 });
  const expected = createHash('sha256').update(readFileSync(source)).digest('hex');
  const remote = await host.exec('sha256sum /var/lib/etcd/bundle.bin; stat -c %a /var/lib/etcd/bundle.bin', T);
  assert.equal(remote.stdout, `${expected}  /var/lib/etcd/bundle.bin\n755\n`);
});

test('read, exists and remove', async () => {
  await host.upload('/etc/kubernetes/manifests/etcd.yaml', 'kind: Pod\n', { mode: 0o600 });
  assert.equal((await host.read('/etc/kubernetes/manifests/etcd.yaml')).toString(), 'kind: Pod\n');
  assert.equal(await host.exists('/etc/kubernetes/manifests/etcd.yaml'), true);
  assert.equal(await host.exists('/etc/kubernetes/manifests'), true);
  assert.equal(await host.exists('/etc/kubernetes/manifests/none.yaml'), false);
  await assert.rejects(host.read('/etc/kubernetes/manifests/none.yaml'), (err: SshError) => {
    assert.equal(err.kind, 'remote');
    assert.equal(err.message, `ssh: cannot read /etc/kubernetes/manifests/none.yaml on ${node.name} (root@${node.address}:${node.port}): No such file`);
    return true;
  });
  await assert.rejects(host.remove('/etc/kubernetes/manifests'), (err: SshError) => err.kind === 'remote' && /Is a directory/.test(err.message));
  await host.remove('/etc/kubernetes/manifests/etcd.yaml');
  await host.remove('/etc/kubernetes/manifests/etcd.yaml');
  assert.equal(await host.exists('/etc/kubernetes/manifests/etcd.yaml'), false);
  await host.upload('/etc/kubernetes/manifests/deep/er/file', 'x', { mode: 0o644 });
  await host.remove('/etc/kubernetes/manifests', { recursive: true });
  assert.equal(await host.exists('/etc/kubernetes/manifests'), false);
  assert.equal(existsSync(join(node.rootDir, '/etc/kubernetes/manifests')), false);
});

test('bad arguments are refused before anything is sent', async () => {
  await assert.rejects(host.upload('etc/relative', 'x', { mode: 0o600 }), (err: SshError) => err.kind === 'invalid-argument');
  await assert.rejects(host.remove('/'), /ssh: refusing to remove \//);
  await assert.rejects(host.exec('true', { timeoutMs: -1 }), /ssh: exec needs a positive timeoutMs/);
});

test('a connection that drops fails the running command as disconnected, and the next call reconnects', async () => {
  await host.exec('true', T);
  const logins = loginCount();
  // the shell's parent is the sshd process that serves this connection
  await assert.rejects(host.exec('kill -KILL $PPID; sleep 10', T), (err: SshError) => {
    assert.equal(err.kind, 'disconnected');
    assert.equal(err.message, `ssh: connection to ${node.name} (root@${node.address}:${node.port}) was lost while running: kill -KILL $PPID; sleep 10`);
    return true;
  });
  assert.equal((await host.exec('echo back', T)).stdout, 'back\n');
  assert.equal(loginCount(), logins + 1, 'one new login');
});

test('a login shell that writes to stderr itself (a noisy .bashrc) neither hides that output nor breaks timeouts', async () => {
  // Debian's bash reads ~/.bashrc for every command sshd starts; this host's /root is its own
  await host.upload('/root/.bashrc', 'echo "bashrc says hi" >&2\n', { mode: 0o644 });
  try {
    assert.deepEqual(await host.exec('echo out; echo err >&2', T), { code: 0, stdout: 'out\n', stderr: 'bashrc says hi\nerr\n' });
    const marker = `/tmp/cairn-noisy-${randomBytes(4).toString('hex')}`;
    await assert.rejects(host.exec(`sleep 30; touch ${marker}`, { timeoutMs: 300 }), (err: SshError) => err.kind === 'timeout');
    assert.ok(await noProcessMatches(`[s]leep 30; touch ${marker}`), 'the timed-out command is no longer running');
  } finally {
    await host.remove('/root/.bashrc');
  }
});

test('after close, the next calls connect again, once for all of them', async () => {
  await host.close();
  const logins = loginCount();
  const results = await Promise.all([host.exec('echo again', T), host.exists('/etc/kubernetes'), host.exec('echo and again', T)]);
  assert.deepEqual(results, [{ code: 0, stdout: 'again\n', stderr: '' }, true, { code: 0, stdout: 'and again\n', stderr: '' }]);
  assert.equal(loginCount(), logins + 1);
});
