// certs renew refuses bad input before it changes anything, naming the host and the fix: an
// expired CA, an unknown certificate name, an unreachable host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localMemberName } from '../../src/adm/commands/load';
import { CERT_LIST, ETCD_CA, certPath, createCA, createLeaf, keyPath } from '../../src/pki';
import { freePorts } from '../support/ports';
import { cairnadm } from './adm-process';
import { unreachableHostConfig } from './unreachable-host';

const DAY = 24 * 3600_000;

/** A PKI like init's, made two years ago with a CA valid for one day: the CA has expired. */
function writeExpiredPki(pki: string): void {
  const clock = () => new Date(Date.now() - 730 * DAY);
  const ca = createCA(ETCD_CA, { clock, caValidityMs: DAY, keyAlgorithm: 'ecdsa-p256' });
  const write = (base: string, pair: { certPem: string; keyPem: string }) => {
    writeFileSync(certPath(pki, base), pair.certPem, { mode: 0o644 });
    writeFileSync(keyPath(pki, base), pair.keyPem, { mode: 0o600 });
  };
  mkdirSync(join(pki, 'etcd'), { recursive: true });
  write(ETCD_CA.baseName, ca);
  const host = { name: localMemberName(), advertiseAddress: '127.0.0.1' };
  for (const spec of CERT_LIST.filter((c) => c.caName)) write(spec.baseName, createLeaf(spec, ca, { clock, host, keyAlgorithm: 'ecdsa-p256' }));
}

const snapshotOf = (dir: string) => Object.fromEntries(readdirSync(dir, { recursive: true }).map(String).sort().map((f) => [f, (() => { try { return readFileSync(join(dir, f)).toString('base64'); } catch { return 'dir'; } })()]));

test('certs renew: bad input stops before anything changes', { timeout: 120_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'adm-renew-bad-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const ports = (await freePorts(3)).map(String);
  const portFlags = ['--client-port', ports[0], '--peer-port', ports[1], '--metrics-port', ports[2]];

  await t.test('an expired CA', async () => {
    const dir = join(base, 'expired');
    writeExpiredPki(join(dir, 'pki'));
    const before = snapshotOf(dir);
    const r = await cairnadm(['certs', 'renew', 'all', '--local', '--dir', dir, ...portFlags]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(`error execution phase check: on ${localMemberName()} (the CA host): pki: ${dir}/pki/etcd/ca.crt: the certificate has expired (NotAfter `),
      r.stderr,
    );
    assert.match(r.stderr, /certificates signed by this CA cannot be renewed: a new CA needs new certificates on every host \(cairnadm reset, then init\)/);
    assert.deepEqual(snapshotOf(dir), before);
  });

  await t.test('an unknown certificate name', async () => {
    const r = await cairnadm(['certs', 'renew', 'etcd-nope', '--local', '--dir', join(base, 'none'), ...portFlags]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown certificate "etcd-nope" \(known: etcd-ca, etcd-server/);
    const ca = await cairnadm(['certs', 'renew', 'etcd-ca', '--local', '--dir', join(base, 'none'), ...portFlags]);
    assert.equal(ca.code, 1);
    assert.match(ca.stderr, /etcd-ca is the CA; cairnadm renews the certificates it signs \(all, etcd-server, etcd-peer/);
  });

  await t.test('an unreachable host', async () => {
    const file = await unreachableHostConfig(base);
    const r = await cairnadm(['certs', 'renew', 'all', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error execution phase check: on cp-9 \(the CA host\): ssh: .*127\.0\.0\.99/);
  });
});
