// The certificates of a fresh tree, judged by the real openssl against kubeadm's profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureCertificates, localPkiFiles, KeyAlgorithm } from '../../src/pki';
import { fixtureKeyGenerator } from './fixture-keys';
import { extension, field, opensslText, opensslVerify } from './openssl';

const DAY = 86_400_000;
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const host = { name: 'cp-1', advertiseAddress: '10.0.0.11' };

async function makeTree(keyAlgorithm: KeyAlgorithm = 'rsa-2048'): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-pki-'));
  await ensureCertificates(localPkiFiles(), {
    certificatesDir: dir,
    host,
    serverCertSANs: ['etcd.example.com', '192.0.2.7'],
    peerCertSANs: ['fd00::7'],
    keyAlgorithm,
    generateKey: fixtureKeyGenerator(),
    clock: () => now,
  });
  return dir;
}

/** openssl prints dates as "Nov 25 00:51:09 2026 GMT". */
const opensslDate = (text: string): number => Date.parse(text.replace(' GMT', ' UTC'));

test('kubeadm layout: files, modes, and every leaf verifies against etcd/ca.crt', async () => {
  const dir = await makeTree();
  try {
    const ca = path.join(dir, 'etcd/ca.crt');
    for (const base of ['etcd/ca', 'etcd/server', 'etcd/peer', 'etcd/healthcheck-client', 'apiserver-etcd-client']) {
      assert.equal(statSync(path.join(dir, `${base}.key`)).mode & 0o777, 0o600, `${base}.key mode`);
      assert.equal(statSync(path.join(dir, `${base}.crt`)).mode & 0o777, 0o644, `${base}.crt mode`);
      assert.match(opensslVerify(ca, path.join(dir, `${base}.crt`)), /: OK/);
    }
    opensslVerify(ca, path.join(dir, 'etcd/server.crt'), 'sslserver');
    opensslVerify(ca, path.join(dir, 'etcd/peer.crt'), 'sslclient');
    opensslVerify(ca, path.join(dir, 'etcd/healthcheck-client.crt'), 'sslclient');
    assert.throws(() => opensslVerify(ca, path.join(dir, 'etcd/healthcheck-client.crt'), 'sslserver'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('etcd-ca profile: CN etcd-ca, CA:TRUE, cert sign, 10 years, backdated 5 minutes', async () => {
  const dir = await makeTree();
  try {
    const text = opensslText(path.join(dir, 'etcd/ca.crt'));
    assert.equal(field(text, 'Subject:'), 'CN = etcd-ca');
    assert.equal(field(text, 'Issuer:'), 'CN = etcd-ca');
    assert.deepEqual(extension(text, 'X509v3 Basic Constraints:'), { critical: true, value: 'CA:TRUE' });
    assert.deepEqual(extension(text, 'X509v3 Key Usage:'), { critical: true, value: 'Digital Signature, Key Encipherment, Certificate Sign' });
    assert.equal(extension(text, 'X509v3 Subject Alternative Name:').value, 'DNS:etcd-ca');
    assert.match(text, /X509v3 Subject Key Identifier/);
    assert.equal(opensslDate(field(text, 'Not Before:')), now.getTime() - 5 * 60_000);
    assert.equal(opensslDate(field(text, 'Not After :')), now.getTime() + 3650 * DAY);
    assert.match(field(text, 'Signature Algorithm:'), /sha256WithRSAEncryption/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('server and peer: CN = host, server+client auth, kubeadm SANs plus extras, 1 year', async () => {
  const dir = await makeTree();
  try {
    const server = opensslText(path.join(dir, 'etcd/server.crt'));
    assert.equal(field(server, 'Subject:'), 'CN = cp-1');
    assert.equal(field(server, 'Issuer:'), 'CN = etcd-ca');
    assert.equal(extension(server, 'X509v3 Extended Key Usage:').value, 'TLS Web Server Authentication, TLS Web Client Authentication');
    assert.deepEqual(extension(server, 'X509v3 Key Usage:'), { critical: true, value: 'Digital Signature, Key Encipherment' });
    assert.deepEqual(extension(server, 'X509v3 Basic Constraints:'), { critical: true, value: 'CA:FALSE' });
    assert.equal(
      extension(server, 'X509v3 Subject Alternative Name:').value,
      'DNS:cp-1, DNS:etcd.example.com, DNS:localhost, IP Address:10.0.0.11, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.0.2.7',
    );
    assert.match(server, /X509v3 Authority Key Identifier/);
    assert.equal(opensslDate(field(server, 'Not Before:')), now.getTime() - 5 * 60_000);
    assert.equal(opensslDate(field(server, 'Not After :')), now.getTime() + 365 * DAY);

    const peer = opensslText(path.join(dir, 'etcd/peer.crt'));
    assert.equal(field(peer, 'Subject:'), 'CN = cp-1');
    assert.equal(extension(peer, 'X509v3 Extended Key Usage:').value, 'TLS Web Server Authentication, TLS Web Client Authentication');
    assert.equal(
      extension(peer, 'X509v3 Subject Alternative Name:').value,
      'DNS:cp-1, DNS:localhost, IP Address:10.0.0.11, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:0:7',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('client certificates: fixed CNs, client auth only, no organization, no SANs', async () => {
  const dir = await makeTree();
  try {
    for (const [base, cn] of [
      ['etcd/healthcheck-client', 'kube-etcd-healthcheck-client'],
      ['apiserver-etcd-client', 'kube-apiserver-etcd-client'],
    ]) {
      const text = opensslText(path.join(dir, `${base}.crt`));
      assert.equal(field(text, 'Subject:'), `CN = ${cn}`);
      assert.equal(extension(text, 'X509v3 Extended Key Usage:').value, 'TLS Web Client Authentication');
      assert.doesNotMatch(text, /Subject Alternative Name/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serials are positive and at most 63 bits, and differ between certificates', async () => {
  const dir = await makeTree();
  try {
    const serials = new Set<string>();
    for (const base of ['etcd/ca', 'etcd/server', 'etcd/peer', 'etcd/healthcheck-client', 'apiserver-etcd-client']) {
      const serial = field(opensslText(path.join(dir, `${base}.crt`)), 'Serial Number:');
      const m = /^(\d+) \(0x([0-9a-f]+)\)$/.exec(serial);
      assert.ok(m, `decimal serial for ${base}: ${serial}`);
      assert.ok(BigInt(m[1]) > 0n && BigInt(m[1]) < 2n ** 63n, `63-bit serial for ${base}`);
      serials.add(m[1]);
    }
    assert.equal(serials.size, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [algorithm, keyText, sigAlg] of [
  ['rsa-3072', 'Public-Key: (3072 bit)', 'sha256WithRSAEncryption'],
  ['rsa-4096', 'Public-Key: (4096 bit)', 'sha256WithRSAEncryption'],
  ['ecdsa-p256', 'Public-Key: (256 bit)', 'ecdsa-with-SHA256'],
  ['ecdsa-p384', 'Public-Key: (384 bit)', 'ecdsa-with-SHA384'],
] as const) {
  test(`key algorithm ${algorithm}: keys, signature and chain`, async () => {
    const dir = await makeTree(algorithm);
    try {
      for (const base of ['etcd/ca', 'etcd/server', 'etcd/peer']) {
        const file = path.join(dir, `${base}.crt`);
        opensslVerify(path.join(dir, 'etcd/ca.crt'), file);
        const text = opensslText(file);
        assert.ok(text.includes(keyText), `${base}: ${keyText}`);
        assert.equal(field(text, 'Signature Algorithm:'), sigAlg);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the CA key identifier is the one openssl computes for the same key (RFC 5280 method 1)', async () => {
  const dir = await makeTree('ecdsa-p256');
  try {
    const ours = extension(opensslText(path.join(dir, 'etcd/ca.crt')), 'X509v3 Subject Key Identifier:').value;
    const reference = path.join(dir, 'reference.crt');
    execFileSync('openssl', ['req', '-x509', '-new', '-key', path.join(dir, 'etcd/ca.key'), '-subj', '/CN=reference', '-days', '1', '-addext', 'subjectKeyIdentifier=hash', '-out', reference], { timeout: 20_000 });
    assert.equal(ours, extension(opensslText(reference), 'X509v3 Subject Key Identifier:').value);
    const leafAki = extension(opensslText(path.join(dir, 'etcd/server.crt')), 'X509v3 Authority Key Identifier:').value;
    assert.equal(leafAki.replace(/^keyid:/, ''), ours);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
