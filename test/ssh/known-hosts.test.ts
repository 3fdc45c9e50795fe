import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, keyTypeOf, knownHostName, parseKnownHosts } from '../../src/ssh';
import { hostKeyAlgorithmsFor, verifyHostKey, type HostKeyTarget } from '../../src/ssh/host-key';
import { hostFieldMatches } from '../../src/ssh/known-hosts';
import { generateKeyPair } from '../support/ssh-keys';

const dir = mkdtempSync(join(tmpdir(), 'cairn-known-hosts-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function key(name: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): Promise<{ line: string; blob: Buffer; file: string }> {
  const file = join(dir, name);
  const line = await generateKeyPair(file, { type });
  return { line: line.split(' ').slice(0, 2).join(' '), blob: Buffer.from(line.split(' ')[1], 'base64'), file };
}

function target(address: string, port: number, knownHostsFile = '/k/known_hosts'): HostKeyTarget {
  return { label: `node1 (root@${address}:${port})`, address, port, knownHostsFile };
}

test('the known_hosts name is the bare address on port 22 and [address]:port elsewhere', () => {
  assert.equal(knownHostName('10.0.0.1', 22), '10.0.0.1');
  assert.equal(knownHostName('10.0.0.1', 2222), '[10.0.0.1]:2222');
});

test('host patterns: lists, wildcards, negation and ports', () => {
  assert.ok(hostFieldMatches('node1,10.0.0.1', '10.0.0.1'));
  assert.ok(hostFieldMatches('10.0.0.*', '10.0.0.7'));
  assert.ok(hostFieldMatches('10.0.0.?', '10.0.0.7'));
  assert.ok(!hostFieldMatches('10.0.0.?', '10.0.0.17'));
  assert.ok(!hostFieldMatches('10.0.0.*,!10.0.0.3', '10.0.0.3'));
  assert.ok(hostFieldMatches('[10.0.0.1]:2222', '[10.0.0.1]:2222'));
  assert.ok(!hostFieldMatches('10.0.0.1', '[10.0.0.1]:2222'), 'a port-22 entry does not cover another port');
  assert.ok(hostFieldMatches('NODE1.example.com', 'node1.example.com'), 'host names compare without case');
  assert.ok(!hostFieldMatches('10.0.0.1.5', '10.0.0.1'));
});

test('hashed names written by ssh-keygen -H match, for port 22 and for [host]:port', async () => {
  const k = await key('hashed');
  const file = join(dir, 'known_hosts_hashed');
  writeFileSync(file, `10.1.2.3 ${k.line}\n[10.1.2.3]:2222 ${k.line}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { timeout: 10_000 });
  const entries = parseKnownHosts(readFileSync(file, 'utf8'));
  assert.equal(entries.length, 2);
  assert.ok(entries.every((e) => e.hosts.startsWith('|1|')), 'ssh-keygen hashed both names');
  assert.ok(hostFieldMatches(entries[0].hosts, '10.1.2.3'));
  assert.ok(!hostFieldMatches(entries[0].hosts, '10.1.2.4'));
  assert.ok(hostFieldMatches(entries[1].hosts, '[10.1.2.3]:2222'));
  assert.ok(!hostFieldMatches(entries[1].hosts, '10.1.2.3'));
  verifyHostKey(entries, target('10.1.2.3', 2222), k.blob);
});

test('parsing keeps markers and line numbers and skips what OpenSSH skips', async () => {
  const k = await key('parse');
  const text = ['# comment', '', `@revoked * ${k.line}`, 'garbage', `@unknown-marker h ${k.line}`, `h1,h2 ${k.line} a comment`, 'h3 ssh-ed25519 not*base64'].join('\n');
  const entries = parseKnownHosts(text);
  assert.deepEqual(
    entries.map((e) => [e.line, e.marker, e.hosts, e.keyType]),
    [
      [3, 'revoked', '*', 'ssh-ed25519'],
      [6, undefined, 'h1,h2', 'ssh-ed25519'],
    ],
  );
  assert.ok(entries[1].key.equals(k.blob));
});

test('the fingerprint and key type are the ones ssh-keygen -l prints', async () => {
  for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
    const k = await key(`fp-${type}`, type);
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${k.file}.pub`], { timeout: 10_000 }).toString();
    assert.ok(printed.includes(fingerprintOf(k.blob)), `${printed} has ${fingerprintOf(k.blob)}`);
    assert.equal(keyTypeOf(k.blob), k.line.split(' ')[0]);
  }
  assert.equal(keyTypeOf(Buffer.from([0, 0])), 'unknown');
});

test('verification: a listed key passes, an unknown one names the fingerprint and the ssh-keyscan command', async () => {
  const k = await key('verify');
  const entries = parseKnownHosts(`[127.0.0.11]:2222 ${k.line}\n`);
  verifyHostKey(entries, target('127.0.0.11', 2222), k.blob);
  assert.throws(
    () => verifyHostKey(entries, target('127.0.0.12', 2222), k.blob),
    (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'host-key-unknown');
      assert.match(err.message, /^ssh: host key of node1 \(root@127\.0\.0\.12:2222\) is not known/);
      assert.ok(err.message.includes(`ssh-ed25519 key ${fingerprintOf(k.blob)}`), err.message);
      assert.ok(err.message.includes('ssh-keyscan -p 2222 -t ssh-ed25519 127.0.0.12 >> /k/known_hosts'), err.message);
      return true;
    },
  );
});

test('verification: a different key of the same type is a changed key, with the line and both fingerprints', async () => {
  const listed = await key('listed');
  const offered = await key('offered');
  const entries = parseKnownHosts(`# first line\n127.0.0.11 ${listed.line}\n`);
  assert.throws(
    () => verifyHostKey(entries, target('127.0.0.11', 22), offered.blob),
    (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'host-key-changed');
      assert.ok(err.message.includes(`offers ssh-ed25519 key ${fingerprintOf(offered.blob)}`), err.message);
      assert.ok(err.message.includes(`/k/known_hosts:2 holds a different ssh-ed25519 key (${fingerprintOf(listed.blob)})`), err.message);
      assert.ok(err.message.includes('ssh-keygen -R 127.0.0.11 -f /k/known_hosts'), err.message);
      return true;
    },
  );
});

test('verification: a key of another type than the listed ones is unknown, and says which types are listed', async () => {
  const listed = await key('typed-listed', 'ecdsa');
  const offered = await key('typed-offered');
  const entries = parseKnownHosts(`127.0.0.11 ${listed.line}\n`);
  assert.throws(() => verifyHostKey(entries, target('127.0.0.11', 22), offered.blob), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'host-key-unknown');
    assert.ok(err.message.includes('(it has ecdsa-sha2-nistp256 keys for this host, not ssh-ed25519)'), err.message);
    return true;
  });
});

test('verification: a @revoked key is refused even where a host line lists it', async () => {
  const k = await key('revoked');
  const entries = parseKnownHosts(`127.0.0.11 ${k.line}\n@revoked * ${k.line}\n`);
  assert.throws(() => verifyHostKey(entries, target('127.0.0.11', 22), k.blob), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'host-key-revoked');
    assert.ok(err.message.includes('/k/known_hosts:2 marks @revoked'), err.message);
    return true;
  });
});

test('host key algorithms: those known_hosts has keys of come first', async () => {
  const ecdsa = await key('algo-ecdsa', 'ecdsa');
  const rsa = await key('algo-rsa', 'rsa');
  const none = hostKeyAlgorithmsFor([], target('127.0.0.11', 22));
  assert.equal(none[0], 'ssh-ed25519');
  const withEcdsa = hostKeyAlgorithmsFor(parseKnownHosts(`127.0.0.11 ${ecdsa.line}\n`), target('127.0.0.11', 22));
  assert.equal(withEcdsa[0], 'ecdsa-sha2-nistp256');
  assert.deepEqual([...withEcdsa].sort(), [...none].sort(), 'nothing is dropped, only reordered');
  const withRsa = hostKeyAlgorithmsFor(parseKnownHosts(`127.0.0.11 ${rsa.line}\n`), target('127.0.0.11', 22));
  assert.deepEqual(withRsa.slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
});
