// Peer TLS hardening with transports in this process and certificates made by openssl: --peer-crl-file
// refuses a revoked peer at the listener (and a list replaced on disk holds without a restart),
// --peer-cert-allowed-cn and --peer-cert-allowed-hostname refuse a peer's client certificate at the
// listener and its server certificate at the dial, as etcd's shared tls.Config does; --cipher-suites
// limits TLS 1.2 on the peer port (openssl s_client) and leaves TLS 1.3 alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Transport, TransportError, peerRequester, type PeerTlsOptions } from '../../src/transport';
import { serialHex } from '../../src/tls-hardening';
import { makeTestPki, type TestPki } from '../server-edge/tls-fixtures';
import { issueCert, writeCrl, type IssuedCert } from '../support/crl-pki';
import { closeAll, message, startMember, text, waitUntil, type TestMember } from './harness';

let pki: TestPki;
let p1: IssuedCert;
let p2: IssuedCert;
let intruder: IssuedCert;

before(() => {
  pki = makeTestPki();
  p1 = issueCert(pki.dir, 'p1', { cn: 'etcd-peer', sans: ['IP:127.0.0.1', 'DNS:peer.example'] });
  p2 = issueCert(pki.dir, 'p2', { cn: 'etcd-peer', sans: ['IP:127.0.0.1', 'DNS:peer.example'] });
  intruder = issueCert(pki.dir, 'intruder', { cn: 'intruder', sans: ['IP:127.0.0.1'] });
});

after(() => pki?.remove());

function peerTls(cert: IssuedCert, extra: PeerTlsOptions = {}): PeerTlsOptions {
  return { certFile: cert.cert, keyFile: cert.key, trustedCaFile: pki.caFile, clientCertAuth: true, ...extra };
}

function rejections(member: TestMember): Array<Record<string, unknown>> {
  return member.logs.filter((l) => l.msg === 'rejected connection');
}

test('--peer-crl-file: the listener refuses a peer whose certificate the list revokes, and takes it once a new list no longer does', async () => {
  const crl = join(pki.dir, 'peer-crl.pem');
  writeCrl(pki.dir, crl, [p2.cert]);
  const a = await startMember(1n, { tls: peerTls(p1, { crlFile: crl }) });
  const b = await startMember(2n, { tls: peerTls(p2) });
  try {
    a.transport.addPeer(2n, [b.url]);
    b.transport.addPeer(1n, [a.url]);
    await waitUntil('the listener refuses the revoked peer', () => rejections(a).length > 0);
    assert.deepEqual(rejections(a)[0], {
      ...rejections(a)[0],
      level: 'warn',
      'server-name': '',
      'ip-addresses': ['127.0.0.1'],
      'dns-names': ['peer.example'],
      error: `transport: certificate serial ${serialHex(p2.serial)} revoked`,
    });
    assert.match(String(rejections(a)[0]['remote-addr']), /^127\.0\.0\.1:\d+$/);
    // The CRL is a listener's check only: member 1 dials the revoked member all the same, as etcd's does.
    await waitUntil('member 1 streams to member 2', () => a.transport.isActive(2n));
    assert.equal(b.transport.isActive(1n), false);
    b.transport.send(1n, [message('refused')]);

    writeCrl(pki.dir, crl, []);
    await waitUntil('member 2 redials and is taken', () => b.transport.isActive(1n));
    b.transport.send(1n, [message('taken')]);
    await waitUntil('its message arrives', () => a.received.length > 0);
    assert.deepEqual(a.received.map((r) => text(r.bytes)), ['taken']);
  } finally {
    await closeAll([a, b]);
  }
});

test('--peer-cert-allowed-cn: the listener refuses another CN, and a member refuses to dial a peer whose server certificate has another', async () => {
  const a = await startMember(1n, { tls: peerTls(p1, { allowedCn: 'etcd-peer' }) });
  const b = await startMember(2n, { tls: peerTls(p2, { allowedCn: 'etcd-peer' }) });
  const c = await startMember(3n, { tls: peerTls(intruder) });
  try {
    for (const [from, to] of [[a, b], [b, a], [c, a], [a, c]] as const) from.transport.addPeer(to.id, [to.url]);
    await waitUntil('the members with the allowed CN stream both ways', () => a.transport.isActive(2n) && b.transport.isActive(1n));
    await waitUntil('the listener refuses the other CN', () => rejections(a).some((l) => l['dns-names'] !== undefined));
    const refused = rejections(a).find((l) => l['dns-names'] !== undefined);
    assert.deepEqual([refused?.error, refused?.['ip-addresses'], refused?.['dns-names']], ['client certificate authentication failed', ['127.0.0.1'], []]);
    // member 3 does not check CNs itself; member 1 checks member 3's server certificate when it dials
    await waitUntil('member 1 gives up dialling member 3', () =>
      a.logs.some((l) => l.msg === 'cannot reach remote peer' && /client certificate authentication failed/.test(String(l.error))),
    );
    assert.equal(a.transport.isActive(3n), false);
    assert.equal(c.transport.isActive(1n), false);
    // peer API requests (joining, promotion, lease forwarding) dial with the same check
    await assert.rejects(peerRequester(peerTls(p1, { allowedCn: 'etcd-peer' }))(c.url, 'GET', '/version', 2000), /client certificate authentication failed/);
    const answer = await peerRequester(peerTls(p2, { allowedCn: 'etcd-peer' }))(b.url, 'GET', '/version', 2000);
    assert.equal(answer.status, 404);
  } finally {
    await closeAll([a, b, c]);
  }
});

test('--peer-cert-allowed-hostname: certificates must be valid for the name (its subject alternative names), on both sides', async () => {
  const a = await startMember(1n, { tls: peerTls(p1, { allowedHostname: 'peer.example' }) });
  const b = await startMember(2n, { tls: peerTls(p2, { allowedHostname: 'peer.example' }) });
  const c = await startMember(3n, { tls: peerTls(intruder) });
  try {
    for (const [from, to] of [[a, b], [b, a], [c, a], [a, c]] as const) from.transport.addPeer(to.id, [to.url]);
    await waitUntil('the members valid for the name stream both ways', () => a.transport.isActive(2n) && b.transport.isActive(1n));
    await waitUntil('the listener refuses the other one', () => rejections(a).some((l) => l.error === 'client certificate authentication failed'));
    await waitUntil('member 1 gives up dialling member 3', () =>
      a.logs.some((l) => l.msg === 'cannot reach remote peer' && /client certificate authentication failed/.test(String(l.error))),
    );
    assert.equal(c.transport.isActive(1n), false);
  } finally {
    await closeAll([a, b, c]);
  }
});

function sClient(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-cert', p2.cert, '-key', p2.key, '-CAfile', pki.caFile, ...args],
      { timeout: 10000, encoding: 'utf8' },
      (_err, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
    child.stdin?.end('Q\n');
  });
}

test('--cipher-suites: the peer port offers TLS 1.2 only the suites named; TLS 1.3 keeps its own', async () => {
  const a = await startMember(1n, { tls: peerTls(p1, { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'] }) });
  const b = await startMember(2n, { tls: peerTls(p2, { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] }) });
  try {
    const port = Number(new URL(a.url).port);
    assert.match(await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']), /New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/);
    const refused = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
    assert.match(refused, /New, \(NONE\), Cipher is \(NONE\)/);
    assert.match(refused, /handshake failure/);
    // Go does not let TLS 1.3 suites be chosen: TLS_AES_256_GCM_SHA384 is served though not named
    assert.match(await sClient(port, ['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384']), /New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384/);
    a.transport.addPeer(2n, [b.url]);
    b.transport.addPeer(1n, [a.url]);
    await waitUntil('members stream both ways', () => a.transport.isActive(2n) && b.transport.isActive(1n));
  } finally {
    await closeAll([a, b]);
  }
});

test('bad hardening settings are clear errors naming the flag and file', () => {
  const base = { memberId: 1n, clusterId: 1n, listen: ['https://127.0.0.1:0'], onMessage: () => undefined, onSnapshot: async () => undefined };
  const missing = join(pki.dir, 'missing.crl');
  assert.throws(() => new Transport({ ...base, tls: peerTls(p1, { crlFile: missing }) }), new TransportError(`transport: cannot read --peer-crl-file ${missing}: ENOENT`));
  assert.throws(
    () => new Transport({ ...base, tls: peerTls(p1, { crlFile: pki.caFile }) }),
    (err: unknown) => err instanceof TransportError && err.message.startsWith(`transport: cannot read --peer-crl-file ${pki.caFile}: not a DER (nor PEM) certificate revocation list`),
  );
  assert.throws(() => new Transport({ ...base, tls: peerTls(p1, { allowedCn: 'a', allowedHostname: 'b' }) }), new TransportError('transport: AllowedCN and AllowedHostname are mutually exclusive (cn="a", hostname="b")'));
  assert.throws(() => new Transport({ ...base, tls: peerTls(p1, { cipherSuites: ['TLS_NOPE'] }) }), new TransportError('transport: unexpected TLS cipher suite "TLS_NOPE"'));
});
