// Peer mutual TLS with certificates made by openssl: members of one CA talk; a certificate from
// another CA, or none where client certificates are required, fails the handshake.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Transport, TransportError } from '../../src/transport';
import { makeTestPki, type TestPki } from '../server-edge/tls-fixtures';
import { closeAll, mesh, message, startMember, text, waitUntil } from './harness';

let pki: TestPki;

before(() => {
  pki = makeTestPki();
});

after(() => pki.remove());

// The fixture's server certificate (IP SAN 127.0.0.1, server and client usage) serves as every member's peer certificate.
function memberTls(clientCertAuth = true) {
  return { certFile: pki.serverCert, keyFile: pki.serverKey, trustedCaFile: pki.caFile, clientCertAuth };
}

test('members with certificates of the trusted CA stream to each other over https', async () => {
  const members = [await startMember(1n, { tls: memberTls() }), await startMember(2n, { tls: memberTls() })];
  const [a, b] = members;
  try {
    assert.match(a.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    mesh(members);
    await waitUntil('streams active both ways', () => a.transport.isActive(2n) && b.transport.isActive(1n));
    a.transport.send(2n, [message('over tls')]);
    b.transport.send(1n, [message('and back')]);
    await waitUntil('both messages', () => a.received.length === 1 && b.received.length === 1);
    assert.equal(text(b.received[0].bytes), 'over tls');
    assert.equal(text(a.received[0].bytes), 'and back');
  } finally {
    await closeAll(members);
  }
});

test('a peer whose certificate another CA signed is refused in the handshake', async () => {
  const a = await startMember(1n, { tls: memberTls() });
  // The stranger trusts member 1's CA, so only member 1's check of the stranger's certificate can fail.
  const stranger = await startMember(2n, { tls: { certFile: pki.strangerCert, keyFile: pki.strangerKey, trustedCaFile: pki.caFile } });
  try {
    stranger.transport.addPeer(1n, [a.url]);
    await waitUntil('the listener rejects the connection', () => a.logged('rejected connection'));
    assert.equal(a.logs.find((l) => l.msg === 'rejected connection')?.error, 'client certificate: UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    await waitUntil('the stranger gives up the dial', () => stranger.logged('cannot reach remote peer'));
    assert.equal(stranger.transport.isActive(1n), false);
    stranger.transport.send(1n, [message('not allowed')]);
    assert.equal(a.received.length, 0);
  } finally {
    await closeAll([a, stranger]);
  }
});

test('a peer that trusts another CA does not accept the member it dials', async () => {
  const a = await startMember(1n, { tls: memberTls(false) });
  const doubter = await startMember(2n, { tls: { certFile: pki.serverCert, keyFile: pki.serverKey, trustedCaFile: join(pki.dir, 'other-ca.crt') } });
  try {
    doubter.transport.addPeer(1n, [a.url]);
    await waitUntil('the dial fails on the certificate', () =>
      doubter.logs.some((l) => l.msg === 'cannot reach remote peer' && /certificate/i.test(String(l.error))),
    );
    assert.equal(doubter.transport.isActive(1n), false);
  } finally {
    await closeAll([a, doubter]);
  }
});

test('without a client certificate, a listener with client-cert-auth or a trusted CA refuses (as etcd\'s); without both, accepts', async () => {
  const strict = await startMember(1n, { tls: memberTls(true) });
  const lax = await startMember(2n, { tls: { certFile: pki.serverCert, keyFile: pki.serverKey } });
  const caOnly = await startMember(4n, { tls: memberTls(false) });
  // No certificate of its own: only a CA to check the listeners with.
  const anonymous = await startMember(3n, { listen: 'http://127.0.0.1:0', tls: { trustedCaFile: pki.caFile } });
  try {
    anonymous.transport.addPeer(1n, [strict.url]);
    anonymous.transport.addPeer(2n, [lax.url]);
    anonymous.transport.addPeer(4n, [caOnly.url]);
    await waitUntil('the lax listener accepts', () => anonymous.transport.isActive(2n));
    for (const refusing of [strict, caOnly]) {
      await waitUntil('the listener rejects', () => refusing.logged('rejected connection'));
      assert.match(String(refusing.logs.find((l) => l.msg === 'rejected connection')?.error), /peer did not return a certificate/);
    }
    assert.equal(anonymous.transport.isActive(1n), false);
    assert.equal(anonymous.transport.isActive(4n), false);
  } finally {
    await closeAll([strict, lax, caOnly, anonymous]);
  }
});

test('--tls-min-version and --tls-max-version hold for peers too, listening and dialling, as etcd\'s', async () => {
  const modern = await startMember(1n, { tls: { ...memberTls(), minVersion: 'TLSv1.3' } });
  const old = await startMember(2n, { tls: { ...memberTls(), maxVersion: 'TLSv1.2' } });
  const usual = await startMember(3n, { tls: memberTls() });
  try {
    old.transport.addPeer(1n, [modern.url]);
    usual.transport.addPeer(1n, [modern.url]);
    await waitUntil('a peer without TLS 1.3 cannot dial one that requires it', () => modern.logged('rejected connection'));
    await waitUntil('a usual peer can', () => usual.transport.isActive(1n));
    assert.equal(old.transport.isActive(1n), false);
  } finally {
    await closeAll([modern, old, usual]);
  }
});

test('bad TLS configuration is a clear error', async () => {
  const base = { memberId: 1n, clusterId: 1n, onMessage: () => undefined, onSnapshot: async () => undefined };
  const plain = new Transport({ ...base, listen: ['https://127.0.0.1:0'] });
  await assert.rejects(plain.start(), new TransportError('transport: cannot listen on TLS for 127.0.0.1:0: KeyFile and CertFile are not presented'));
  assert.throws(
    () => new Transport({ ...base, listen: ['https://127.0.0.1:0'], tls: { certFile: pki.serverCert } }),
    /--peer-cert-file and --peer-key-file must be given together/,
  );
  assert.throws(
    () => new Transport({ ...base, listen: ['https://127.0.0.1:0'], tls: { certFile: join(pki.dir, 'missing.crt'), keyFile: pki.serverKey } }),
    /transport: cannot read --peer-cert-file .*missing\.crt: ENOENT/,
  );
  assert.throws(
    () => new Transport({ ...base, listen: ['https://127.0.0.1:0'], tls: { certFile: pki.serverCert, keyFile: pki.serverKey, clientCertAuth: true } }),
    /--peer-client-cert-auth needs --peer-trusted-ca-file/,
  );
});
