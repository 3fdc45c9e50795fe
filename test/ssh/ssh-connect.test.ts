// How SshHost connects: host key verification against known_hosts, credentials, and the distinct
// error for each way a connection fails, against real sshd test hosts.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, SshHost, type SshError, type SshHostOptions } from '../../src/ssh';
import { connectError } from '../../src/ssh/connect-errors';
import { freePort } from '../support/ports';
import { generateKeyPair, knownHostsName } from '../support/ssh-keys';
import { startSshdHosts, type SshdHosts, type SshdTestHost } from '../support/sshd-hosts';

let hosts: SshdHosts;
let node1: SshdTestHost;
let node2: SshdTestHost;
const dir = mkdtempSync(join(tmpdir(), 'cairn-ssh-connect-'));
const opened: SshHost[] = [];
const servers: Server[] = [];
let agent: ChildProcess | undefined;

before(async () => {
  // node2 on a port other than 22, so both known_hosts name forms are exercised
  hosts = await startSshdHosts({ names: ['node1', 'node2'] });
  [node1, node2] = hosts.hosts;
});

after(async () => {
  await Promise.all(opened.map((h) => h.close()));
  for (const server of servers) server.close();
  agent?.kill();
  await hosts?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sshHost(node: SshdTestHost, overrides: Partial<SshHostOptions> = {}): SshHost {
  const host = new SshHost({ name: node.name, address: node.address, port: node.port, user: node.user, keyFile: node.keyFile, knownHosts: node.knownHosts, ...overrides });
  opened.push(host);
  return host;
}

const T = { timeoutMs: 20_000 };
const fingerprint = (node: SshdTestHost) => fingerprintOf(Buffer.from(node.hostPublicKey.split(' ')[1], 'base64'));

test('an unknown host key is refused with its fingerprint, and the suggested ssh-keyscan command trusts it', async () => {
  const knownHosts = join(dir, 'known_hosts_empty');
  writeFileSync(knownHosts, '');
  const host = sshHost(node1, { knownHosts });
  let message = '';
  // connect() alone: what a preflight check calls
  await assert.rejects(host.connect(), (err: SshError) => {
    assert.equal(err.kind, 'host-key-unknown');
    message = err.message;
    return true;
  });
  assert.ok(message.includes(`host key of node1 (root@${node1.address}:${node1.port}) is not known`), message);
  assert.ok(message.includes(`ssh-ed25519 key ${fingerprint(node1)}`), message);
  assert.equal(readFileSync(knownHosts, 'utf8'), '', 'nothing was added on its own');
  // what an operator does after checking the fingerprint
  execFileSync('sh', ['-c', message.split('then trust it: ')[1]], { timeout: 20_000, stdio: 'pipe' });
  assert.equal((await host.exec('hostname', T)).stdout, 'node1\n');
});

test('a changed host key is refused with both fingerprints, and the suggested commands replace it', async () => {
  // the key of node2 written down for node1: to the client, node1's key has changed
  const knownHosts = join(dir, 'known_hosts_changed');
  writeFileSync(knownHosts, `${knownHostsName(node1.address, node1.port)} ${node2.hostPublicKey}\n`);
  const host = sshHost(node1, { knownHosts });
  let message = '';
  await assert.rejects(host.exec('true', T), (err: SshError) => {
    assert.equal(err.kind, 'host-key-changed');
    message = err.message;
    return true;
  });
  assert.ok(message.includes(`offers ssh-ed25519 key ${fingerprint(node1)}`), message);
  assert.ok(message.includes(`${knownHosts}:1 holds a different ssh-ed25519 key (${fingerprint(node2)})`), message);
  await assert.rejects(host.exec('true', T), (err: SshError) => err.kind === 'host-key-changed', 'refused again on the next call');
  execFileSync('sh', ['-c', message.split('then replace the old key: ')[1]], { timeout: 20_000, stdio: 'pipe' });
  assert.equal((await host.exec('hostname', T)).stdout, 'node1\n');
});

test('hashed known_hosts entries (ssh-keygen -H) are honoured for port 22 and other ports', async () => {
  const knownHosts = join(dir, 'known_hosts_hashed');
  copyFileSync(node1.knownHosts, knownHosts);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHosts], { timeout: 10_000 });
  assert.ok(!readFileSync(knownHosts, 'utf8').includes('127.0.0.'), 'no address left in clear text');
  for (const node of [node1, node2]) assert.equal((await sshHost(node, { knownHosts }).exec('hostname', T)).stdout, `${node.name}\n`);
});

test('a port with nothing listening gives the refused error quickly, naming host:port', async () => {
  const port = await freePort('127.0.0.99');
  const host = new SshHost({ address: '127.0.0.99', port, keyFile: node1.keyFile, knownHosts: node1.knownHosts });
  await assert.rejects(host.exec('true', T), (err: SshError) => {
    assert.equal(err.kind, 'refused');
    assert.equal(err.message, `ssh: cannot connect to root@127.0.0.99:${port}: connection refused, nothing listens on 127.0.0.99:${port}; start sshd on the host or check the host's address and port in the config`);
    return true;
  });
});

async function listeningServer(onConnection: (socket: import('node:net').Socket) => void): Promise<number> {
  const server = createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

test('a port that accepts but does not speak SSH is told apart from a refused one', async () => {
  const silent = await listeningServer(() => undefined);
  const host = new SshHost({ address: '127.0.0.1', port: silent, keyFile: node1.keyFile, knownHosts: node1.knownHosts, connectTimeoutMs: 500 });
  await assert.rejects(host.exec('true', T), (err: SshError) => {
    assert.equal(err.kind, 'not-ssh');
    assert.match(err.message, /accepted the connection but no SSH server answered within 500 ms; is this sshd's port\?$/);
    return true;
  });
  const http = await listeningServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const other = new SshHost({ address: '127.0.0.1', port: http, keyFile: node1.keyFile, knownHosts: node1.knownHosts, connectTimeoutMs: 2_000 });
  await assert.rejects(other.exec('true', T), (err: SshError) => {
    assert.equal(err.kind, 'not-ssh', err.message);
    assert.ok(err.message.includes(`127.0.0.1:${http}`), err.message);
    return true;
  });
});

test('a key the host does not accept is an authentication error naming the key', async () => {
  const stranger = join(dir, 'stranger');
  await generateKeyPair(stranger);
  const host = sshHost(node1, { keyFile: stranger });
  await assert.rejects(host.exec('true', T), (err: SshError) => {
    assert.equal(err.kind, 'auth');
    assert.equal(err.message, `ssh: cannot log in to node1 (root@${node1.address}:${node1.port}): the server refused key ${stranger}; add the public key to ~root/.ssh/authorized_keys on the host, or check the user and key in the config`);
    return true;
  });
});

test('a missing or broken key file, or no credentials at all, are errors before connecting', async () => {
  await assert.rejects(sshHost(node1, { keyFile: join(dir, 'none') }).exec('true', T), (err: SshError) => err.kind === 'bad-key' && err.message.includes(`cannot read private key ${join(dir, 'none')}`));
  const garbage = join(dir, 'garbage');
  writeFileSync(garbage, 'not a key\n', { mode: 0o600 });
  await assert.rejects(sshHost(node1, { keyFile: garbage }).exec('true', T), (err: SshError) => err.kind === 'bad-key' && err.message.includes(`private key ${garbage} is not usable`));
  const encrypted = join(dir, 'encrypted');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', encrypted], { timeout: 10_000 });
  await assert.rejects(sshHost(node1, { keyFile: encrypted }).exec('true', T), (err: SshError) => err.kind === 'bad-key' && /give its passphrase or load it into ssh-agent$/.test(err.message));
  const saved = process.env.SSH_AUTH_SOCK;
  delete process.env.SSH_AUTH_SOCK;
  try {
    await assert.rejects(sshHost(node1, { keyFile: undefined }).exec('true', T), (err: SshError) => err.kind === 'no-credentials' && /set a private key file for the host, or start ssh-agent/.test(err.message));
  } finally {
    if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
  }
});

test('ssh-agent: the keys of the agent at SSH_AUTH_SOCK log in when no key file is given', async () => {
  const socket = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  execFileSync('ssh-add', ['-q', node1.keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, timeout: 10_000, stdio: 'pipe' });
  const saved = process.env.SSH_AUTH_SOCK;
  process.env.SSH_AUTH_SOCK = socket;
  try {
    assert.equal((await sshHost(node2, { keyFile: undefined }).exec('hostname', T)).stdout, 'node2\n');
  } finally {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
  }
});

test('network errors map to their own kinds', () => {
  const failure = { label: 'node1 (root@10.9.9.9:22)', address: '10.9.9.9', port: 22, user: 'root', stage: 'tcp' as const, timeoutMs: 3000, credentials: 'key k' };
  const kind = (err: object, stage: 'tcp' | 'handshake' | 'auth' = 'tcp') => connectError(Object.assign(new Error('x'), err), { ...failure, stage });
  assert.equal(kind({ code: 'EHOSTUNREACH' }).kind, 'unreachable');
  assert.match(kind({ code: 'EHOSTUNREACH' }).message, /10\.9\.9\.9 is unreachable \(EHOSTUNREACH\)/);
  assert.equal(kind({ code: 'ENOTFOUND' }).kind, 'unreachable');
  assert.match(kind({ code: 'ENOTFOUND' }).message, /the name 10\.9\.9\.9 does not resolve/);
  assert.equal(kind({ level: 'client-timeout' }).kind, 'unreachable');
  assert.match(kind({ level: 'client-timeout' }).message, /no answer from 10\.9\.9\.9:22 within 3000 ms/);
  assert.equal(kind({ level: 'client-timeout' }, 'handshake').kind, 'not-ssh');
  assert.equal(kind({ level: 'client-authentication' }, 'auth').kind, 'auth');
  assert.equal(kind({ code: 'ECONNRESET', level: 'client-socket' }, 'auth').kind, 'disconnected');
  const v6 = connectError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), { ...failure, address: 'fd00::1' });
  assert.match(v6.message, /nothing listens on \[fd00::1\]:22;/);
  assert.equal(new SshHost({ address: 'fd00::1', keyFile: '/k' }).address, 'root@[fd00::1]:22');
});

test('~/ in the key and known_hosts paths is the home directory, and known_hosts defaults to ~/.ssh/known_hosts', async () => {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  copyFileSync(node1.keyFile, join(home, '.ssh/id_test'));
  copyFileSync(node1.knownHosts, join(home, '.ssh/known_hosts'));
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    const host = new SshHost({ address: node1.address, port: node1.port, keyFile: '~/.ssh/id_test' });
    opened.push(host);
    assert.equal((await host.exec('hostname', T)).stdout, 'node1\n');
  } finally {
    process.env.HOME = saved;
  }
});
