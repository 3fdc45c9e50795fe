// etcd 3.4's TLS hardening flags on the client port, with real processes side by side: `cairn` and
// Debian's real `etcd` 3.4 started with the same --client-crl-file, --client-cert-allowed-hostname and
// --cipher-suites, the real etcdctl with client certificates made by openssl, `openssl s_client` for
// the cipher suites. Each certificate must be served or refused alike by both, with the same
// "rejected connection" fields in the log; a CRL replaced on disk holds at the next connection for
// both; the start-up errors carry etcd's words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialHex } from '../../src/tls-hardening';
import { etcdctl, hasEtcdctl, runCairnSync, startCairn, type CairnProcess } from '../cli/cairn-process';
import { freePorts } from '../support/ports';
import { hasRealEtcd } from '../support/real-etcd';
import { issueCert, writeCrl, type IssuedCert } from '../support/crl-pki';
import { makeTestPki, type TestPki } from './tls-fixtures';

const skip = !hasEtcdctl() ? 'the real etcdctl is not installed' : !hasRealEtcd() ? 'the real etcd is not installed' : false;

const allowedSuite = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'; // the fixtures' keys are EC

interface Server {
  readonly name: string;
  readonly endpoint: string;
  readonly port: number;
  log(): string;
  stop(): Promise<void>;
}

let pki: TestPki;
let crl: string;
let certs: Record<'ok' | 'revoked' | 'otherName' | 'cnOnly', IssuedCert>;
/** cairn, then etcd */
const servers: Server[] = [];
let workDir: string | undefined;

function hardeningArgs(): string[] {
  return [
    '--cert-file', pki.serverCert, '--key-file', pki.serverKey, '--trusted-ca-file', pki.caFile, '--client-cert-auth',
    '--client-crl-file', crl, '--client-cert-allowed-hostname', 'client.example', '--cipher-suites', `${allowedSuite},TLS_AES_128_GCM_SHA256`,
  ];
}

/** The real etcd with the hardening flags, on https; resolves once etcdctl with an accepted certificate gets an answer (15 s at most). */
async function startEtcd(dir: string): Promise<Server> {
  const [clientPort, peerPort] = await freePorts(2);
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const child: ChildProcess = spawn('etcd', [
    '--name', 'e1', '--data-dir', join(dir, 'etcd'), '--logger', 'zap',
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `e1=http://127.0.0.1:${peerPort}`,
    ...hardeningArgs(),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  for (let t = 0; t < 30; t++) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}:\n${log}`);
    if (put({ endpoint } as Server, certs.ok).status === 0) return { name: 'etcd', endpoint, port: clientPort, log: () => log, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`etcd did not answer within 15 s:\n${log}`);
}

async function startCairnServer(dir: string): Promise<Server> {
  const [clientPort, peerPort] = await freePorts(2);
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const cairn: CairnProcess = await startCairn({
    dataDir: dir,
    args: [
      '--name', 'c1', '--data-dir', join(dir, 'cairn'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `c1=http://127.0.0.1:${peerPort}`,
      ...hardeningArgs(),
    ],
  });
  return { name: 'cairn', endpoint, port: clientPort, log: () => cairn.log(), stop: async () => { await cairn.stop('SIGKILL'); } };
}

function put(server: Server, cert: IssuedCert) {
  return etcdctl(server.endpoint, ['--dial-timeout', '2s', '--command-timeout', '4s', '--cacert', pki.caFile, '--cert', cert.cert, '--key', cert.key, 'put', 'k', 'v']);
}

/** The "rejected connection" lines of a server's log, as JSON. */
function rejections(server: Server): Array<Record<string, unknown>> {
  return server.log().split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.msg === 'rejected connection' ? [entry] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The etcd fields of the latest rejection of a certificate with these DNS names (and this error, when
 * given), waiting up to 5 s for the line: the log is read from the server's stderr by this process's
 * event loop, which the synchronous etcdctl runs held up.
 */
async function rejectionOf(server: Server, dnsNames: string[], error?: string): Promise<Record<string, unknown> | undefined> {
  for (let t = 0; t < 50; t++) {
    const line = rejections(server).reverse().find((l) => JSON.stringify(l['dns-names']) === JSON.stringify(dnsNames) && (error === undefined || l.error === error));
    if (line) return { msg: line.msg, level: line.level, 'server-name': line['server-name'], 'ip-addresses': line['ip-addresses'], 'dns-names': line['dns-names'], error: line.error };
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

before(async () => {
  if (skip) return;
  pki = makeTestPki();
  certs = {
    ok: issueCert(pki.dir, 'ok', { cn: 'ok', sans: ['DNS:client.example'], usage: 'clientAuth' }),
    revoked: issueCert(pki.dir, 'revoked', { cn: 'revoked', sans: ['DNS:client.example', 'DNS:revoked.example'], usage: 'clientAuth' }),
    otherName: issueCert(pki.dir, 'other', { cn: 'other', sans: ['DNS:other.example'], usage: 'clientAuth' }),
    cnOnly: issueCert(pki.dir, 'cn-only', { cn: 'client.example', usage: 'clientAuth' }),
  };
  crl = join(pki.dir, 'client.crl');
  writeCrl(pki.dir, crl, [certs.revoked.cert]);
  workDir = mkdtempSync(join(tmpdir(), 'cairn-hardening-'));
  servers.push(await startCairnServer(workDir));
  servers.push(await startEtcd(workDir));
});

after(async () => {
  for (const server of servers) await server.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  pki?.remove();
});

test('--client-crl-file and --client-cert-allowed-hostname: etcdctl is served or refused by cairn as by etcd, logged alike', { skip, timeout: 120_000 }, async () => {
  const [cairn, etcd] = servers;
  for (const server of [cairn, etcd]) {
    const ok = put(server, certs.ok);
    assert.equal(ok.status, 0, `${server.name}: ${ok.stderr}`);
    for (const refused of [certs.revoked, certs.otherName, certs.cnOnly]) {
      const run = put(server, refused);
      assert.notEqual(run.status, 0, `${server.name} served ${refused.cert}`);
      assert.match(run.stderr, /context deadline exceeded/);
    }
  }
  const expected = (dnsNames: string[], error: string) => ({ msg: 'rejected connection', level: 'warn', 'server-name': '', 'ip-addresses': [], 'dns-names': dnsNames, error });
  const revokedLine = expected(['client.example', 'revoked.example'], `transport: certificate serial ${serialHex(certs.revoked.serial)} revoked`);
  for (const server of [cairn, etcd]) {
    assert.deepEqual(await rejectionOf(server, ['client.example', 'revoked.example']), revokedLine, server.name);
    assert.deepEqual(await rejectionOf(server, ['other.example']), expected(['other.example'], 'client certificate authentication failed'), server.name);
    // the CN is not a hostname (Go 1.15 and later; Debian's etcd 3.4.23 is built with Go 1.19)
    assert.deepEqual(await rejectionOf(server, [], 'client certificate authentication failed'), expected([], 'client certificate authentication failed'), server.name);
  }
});

test('a CRL replaced on disk holds at the next connection, for cairn as for etcd', { skip, timeout: 120_000 }, async () => {
  writeCrl(pki.dir, crl, [certs.revoked.cert, certs.ok.cert]);
  try {
    for (const server of servers) {
      const run = put(server, certs.ok);
      assert.notEqual(run.status, 0, `${server.name} still serves a certificate the new list revokes`);
      const error = `transport: certificate serial ${serialHex(certs.ok.serial)} revoked`;
      assert.equal((await rejectionOf(server, ['client.example'], error))?.error, error, server.name);
    }
  } finally {
    writeCrl(pki.dir, crl, [certs.revoked.cert]);
  }
  for (const server of servers) assert.equal(put(server, certs.ok).status, 0, server.name);
});

function sClient(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-cert', certs.ok.cert, '-key', certs.ok.key, '-CAfile', pki.caFile, ...args],
      { timeout: 10000, encoding: 'utf8' },
      (_err, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
    child.stdin?.end('Q\n');
  });
}

test('--cipher-suites: openssl s_client gets TLS 1.2 only with a suite named, TLS 1.3 with any, from cairn as from etcd', { skip, timeout: 60_000 }, async () => {
  for (const server of servers) {
    assert.match(await sClient(server.port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']), /New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/, server.name);
    const refused = await sClient(server.port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
    assert.match(refused, /New, \(NONE\), Cipher is \(NONE\)/, server.name);
    assert.match(refused, /alert handshake failure/, server.name);
    assert.match(await sClient(server.port, ['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384']), /New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384/, server.name);
  }
  // both log the refused handshake as a rejected connection, each with its TLS library's reason
  for (const server of servers) {
    for (let t = 0; t < 50 && !rejections(server).some((l) => /cipher/.test(String(l.error))); t++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(rejections(server).some((l) => l['dns-names'] === undefined && /cipher/.test(String(l.error))), `${server.name}: ${JSON.stringify(rejections(server))}`);
  }
});

/** Runs the real etcd to its exit (start-up errors); capnslog, so etcd's error text appears as is. */
function runEtcdSync(args: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-start-'));
  try {
    return spawnSync('etcd', ['--data-dir', join(dir, 'data'), ...args], { encoding: 'utf8', timeout: 20000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('start-up errors: an unknown cipher suite and an allowed CN with an allowed hostname, in etcd\'s words; an unreadable CRL names flag and file', { skip, timeout: 60_000 }, async () => {
  const [clientPort, peerPort] = await freePorts(2);
  const urls = [
    '--listen-client-urls', `http://127.0.0.1:${clientPort}`, '--advertise-client-urls', `http://127.0.0.1:${clientPort}`,
    '--listen-peer-urls', `https://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `https://127.0.0.1:${peerPort}`,
    '--initial-cluster', `default=https://127.0.0.1:${peerPort}`, '--peer-cert-file', pki.serverCert, '--peer-key-file', pki.serverKey,
  ];
  for (const [flags, message] of [
    [['--cipher-suites', `${allowedSuite},TLS_FOO`], 'unexpected TLS cipher suite "TLS_FOO"'],
    [['--peer-cert-allowed-cn', 'a', '--peer-cert-allowed-hostname', 'b'], 'AllowedCN and AllowedHostname are mutually exclusive (cn="a", hostname="b")'],
  ] as const) {
    const etcd = runEtcdSync([...urls, ...flags]);
    assert.equal(etcd.status, 1, etcd.stderr);
    assert.ok(etcd.stderr.includes(message), etcd.stderr);
    const cairn = runCairnSync([...urls, ...flags]);
    assert.equal(cairn.status, 1, cairn.stderr);
    assert.equal(cairn.stderr, `cairn: ${message} (see 'cairn --help')\n`);
  }
  // etcd starts and then refuses every client certificate ("open ...: no such file or directory");
  // cairn refuses to start
  const dir = mkdtempSync(join(tmpdir(), 'cairn-start-'));
  try {
    const missing = join(pki.dir, 'missing.crl');
    const cairn = runCairnSync([
      '--data-dir', join(dir, 'data'), '--listen-client-urls', `https://127.0.0.1:${clientPort}`, '--advertise-client-urls', `https://127.0.0.1:${clientPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-cluster', `default=http://127.0.0.1:${peerPort}`,
      '--cert-file', pki.serverCert, '--key-file', pki.serverKey, '--client-cert-auth', '--trusted-ca-file', pki.caFile, '--client-crl-file', missing,
    ]);
    assert.equal(cairn.status, 1, cairn.stderr);
    assert.match(cairn.stderr, new RegExp(`"err":"cannot read --client-crl-file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ENOENT","msg":"cannot start the member"`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
