// certs renew and check-expiration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ETCD_CA,
  ETCD_SERVER,
  certSpec,
  checkExpiration,
  ensureCA,
  ensureCertificates,
  formatExpiration,
  localPkiFiles,
  readCertificate,
  renewCertificate,
} from '../../src/pki';
import { fixtureKeyGenerator } from './fixture-keys';
import { opensslVerify } from './openssl';

const DAY = 86_400_000;
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const files = localPkiFiles();
const base = (dir: string) => ({
  certificatesDir: dir,
  host: { name: 'cp-1', advertiseAddress: '10.0.0.11' },
  serverCertSANs: ['etcd.example.com'],
  generateKey: fixtureKeyGenerator(),
  clock: () => now,
});

async function withTree(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-pki-'));
  try {
    await ensureCertificates(files, base(dir));
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('renew keeps the key, subject and SANs, and moves the expiry', async () => {
  await withTree(async (dir) => {
    const certFile = path.join(dir, 'etcd/server.crt');
    const keyBefore = readFileSync(path.join(dir, 'etcd/server.key'), 'utf8');
    const old = readCertificate(readFileSync(certFile, 'utf8'));
    const later = new Date(now.getTime() + 30 * DAY);
    const { ca } = await ensureCA(files, base(dir));
    const result = await renewCertificate(ETCD_SERVER, files, { certificatesDir: dir, ca, clock: () => later });
    const renewed = readCertificate(readFileSync(certFile, 'utf8'));
    assert.equal(readFileSync(path.join(dir, 'etcd/server.key'), 'utf8'), keyBefore);
    assert.equal(result.newKey, false);
    assert.equal(renewed.commonName, 'cp-1');
    assert.deepEqual(renewed.dnsNames, old.dnsNames);
    assert.deepEqual(renewed.ipAddresses, old.ipAddresses);
    assert.deepEqual(renewed.extKeyUsages, ['serverAuth', 'clientAuth']);
    assert.notEqual(renewed.serialHex, old.serialHex);
    assert.equal(renewed.notAfter.getTime(), later.getTime() + 365 * DAY);
    assert.equal(result.notAfter.getTime(), renewed.notAfter.getTime());
    opensslVerify(path.join(dir, 'etcd/ca.crt'), certFile, 'sslserver', later);
    // The renewed pair is valid for the next idempotent run too.
    const again = await ensureCertificates(files, { ...base(dir), clock: () => later });
    assert.ok(again.every((r) => r.action === 'reused'));
  });
});

test('renew with a new key replaces the key, and refuses a CA or a missing file', async () => {
  await withTree(async (dir) => {
    const keyBefore = readFileSync(path.join(dir, 'etcd/server.key'), 'utf8');
    const { ca } = await ensureCA(files, base(dir));
    const result = await renewCertificate(ETCD_SERVER, files, { certificatesDir: dir, ca, newKey: true, generateKey: fixtureKeyGenerator(7) });
    assert.equal(result.newKey, true);
    assert.notEqual(readFileSync(path.join(dir, 'etcd/server.key'), 'utf8'), keyBefore);
    opensslVerify(path.join(dir, 'etcd/ca.crt'), path.join(dir, 'etcd/server.crt'));
    await assert.rejects(renewCertificate(ETCD_CA, files, { certificatesDir: dir, ca }), /etcd-ca is a CA/);
    unlinkSync(path.join(dir, 'etcd/peer.crt'));
    await assert.rejects(renewCertificate(certSpec('etcd-peer'), files, { certificatesDir: dir, ca }), /etcd\/peer\.crt: missing; nothing to renew/);
  });
});

test('check-expiration: rows, residual time and kubeadm\'s table', async () => {
  await withTree(async (dir) => {
    const report = await checkExpiration(files, { certificatesDir: dir, clock: () => new Date(now.getTime() + DAY) });
    assert.deepEqual(
      report.certificates.map((r) => [r.name, r.ca, r.residualMs, r.externallyManaged]),
      [
        ['etcd-server', 'etcd-ca', 364 * DAY, false],
        ['etcd-peer', 'etcd-ca', 364 * DAY, false],
        ['etcd-healthcheck-client', 'etcd-ca', 364 * DAY, false],
        ['apiserver-etcd-client', 'etcd-ca', 364 * DAY, false],
      ],
    );
    assert.equal(report.authorities[0].name, 'etcd-ca');
    const text = formatExpiration(report);
    const lines = text.split('\n');
    assert.equal(lines[0], 'CERTIFICATE               EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED');
    assert.match(lines[1], /^etcd-server {15}[A-Z][a-z]{2} \d\d, \d{4} \d\d:\d\d UTC   364d {12}etcd-ca {17}no$/);
    assert.equal(lines[6], 'CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED');
    assert.match(lines[7], /^etcd-ca {17}.* UTC   9y {14}no$/);

    unlinkSync(path.join(dir, 'etcd/ca.key'));
    unlinkSync(path.join(dir, 'etcd/peer.crt'));
    const after = await checkExpiration(files, { certificatesDir: dir });
    assert.ok(after.certificates.every((r) => r.externallyManaged));
    assert.equal(after.certificates[1].expires, undefined);
    assert.match(formatExpiration(after), /^!MISSING! etcd-peer$/m);
  });
});
