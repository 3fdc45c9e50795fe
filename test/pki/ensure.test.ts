// Idempotence: existing good files are reused untouched; wrong ones are reported by file name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ETCD_SERVER, EnsureOptions, PkiError, ensureCA, ensureCertificates, ensureLeaf, inspectCertificates, localPkiFiles } from '../../src/pki';
import { fixtureKeyGenerator } from './fixture-keys';
import { opensslVerify } from './openssl';

const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const files = localPkiFiles();

function options(dir: string, extra: Partial<EnsureOptions> = {}): EnsureOptions {
  return {
    certificatesDir: dir,
    host: { name: 'cp-1', advertiseAddress: '10.0.0.11' },
    generateKey: fixtureKeyGenerator(),
    clock: () => now,
    ...extra,
  };
}

async function withTree(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-pki-'));
  try {
    await ensureCertificates(files, options(dir));
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rejectsNaming(p: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof PkiError, String(err));
    assert.equal(err.file, file);
    assert.match(err.message, pattern);
    assert.ok(err.message.startsWith('pki: '));
    return true;
  });
}

test('a second run reuses every pair and changes no byte', async () => {
  await withTree(async (dir) => {
    const before = readFileSync(path.join(dir, 'etcd/server.crt'), 'utf8');
    const results = await ensureCertificates(files, options(dir));
    assert.deepEqual(
      results.map((r) => [r.name, r.action]),
      [
        ['etcd-ca', 'reused'],
        ['etcd-server', 'reused'],
        ['etcd-peer', 'reused'],
        ['etcd-healthcheck-client', 'reused'],
        ['apiserver-etcd-client', 'reused'],
      ],
    );
    assert.equal(readFileSync(path.join(dir, 'etcd/server.crt'), 'utf8'), before);
  });
});

test('only the missing pair is created', async () => {
  await withTree(async (dir) => {
    unlinkSync(path.join(dir, 'etcd/peer.crt'));
    unlinkSync(path.join(dir, 'etcd/peer.key'));
    const results = await ensureCertificates(files, options(dir));
    assert.deepEqual(results.filter((r) => r.action === 'created').map((r) => r.name), ['etcd-peer']);
    opensslVerify(path.join(dir, 'etcd/ca.crt'), path.join(dir, 'etcd/peer.crt'));
  });
});

test('a server certificate of another host is reported, not overwritten', async () => {
  await withTree(async (dir) => {
    const file = path.join(dir, 'etcd/server.crt');
    const before = readFileSync(file, 'utf8');
    const other = options(dir, { host: { name: 'cp-2', advertiseAddress: '10.0.0.12' } });
    await rejectsNaming(ensureCertificates(files, other), file, /is for "cp-1", expected "cp-2".*lacks the SANs cp-2, 10\.0\.0\.12/);
    assert.equal(readFileSync(file, 'utf8'), before);
  });
});

test('a new extra SAN makes the existing certificate wrong', async () => {
  await withTree(async (dir) => {
    const file = path.join(dir, 'etcd/server.crt');
    await rejectsNaming(ensureCertificates(files, options(dir, { serverCertSANs: ['etcd.example.com'] })), file, /lacks the SANs etcd\.example\.com/);
  });
});

test('a certificate signed by another CA is reported', async () => {
  await withTree(async (dir) => {
    const other = mkdtempSync(path.join(tmpdir(), 'cairn-pki-'));
    try {
      await ensureCertificates(files, options(other, { generateKey: fixtureKeyGenerator(5) }));
      copyFileSync(path.join(other, 'etcd/server.crt'), path.join(dir, 'etcd/server.crt'));
      copyFileSync(path.join(other, 'etcd/server.key'), path.join(dir, 'etcd/server.key'));
      await rejectsNaming(ensureLeaf(ETCD_SERVER, files, { ...options(dir), ca: (await ensureCA(files, options(dir))).ca }), path.join(dir, 'etcd/server.crt'), /not signed by the CA .*etcd\/ca\.crt/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

test('a key that does not match its certificate is reported', async () => {
  await withTree(async (dir) => {
    copyFileSync(path.join(dir, 'etcd/peer.key'), path.join(dir, 'etcd/server.key'));
    await rejectsNaming(ensureCertificates(files, options(dir)), path.join(dir, 'etcd/server.crt'), /does not match the private key .*etcd\/server\.key/);
  });
});

test('half a pair is reported with the missing file', async () => {
  await withTree(async (dir) => {
    unlinkSync(path.join(dir, 'etcd/server.key'));
    await rejectsNaming(ensureCertificates(files, options(dir)), path.join(dir, 'etcd/server.key'), /missing, but its certificate .* exists/);
  });
  await withTree(async (dir) => {
    unlinkSync(path.join(dir, 'etcd/ca.crt'));
    await rejectsNaming(ensureCertificates(files, options(dir)), path.join(dir, 'etcd/ca.crt'), /missing, but its key .* exists/);
  });
});

test('expired certificates are reported; a garbage file is reported', async () => {
  await withTree(async (dir) => {
    const later = new Date(now.getTime() + 400 * 86_400_000);
    await rejectsNaming(ensureCertificates(files, options(dir, { clock: () => later })), path.join(dir, 'etcd/server.crt'), /has expired/);
    writeFileSync(path.join(dir, 'etcd/peer.crt'), 'not a certificate');
    await rejectsNaming(ensureCertificates(files, options(dir)), path.join(dir, 'etcd/peer.crt'), /not a PEM certificate/);
  });
});

test('without the CA key, existing leaves are reused and missing ones are refused', async () => {
  await withTree(async (dir) => {
    unlinkSync(path.join(dir, 'etcd/ca.key'));
    const results = await ensureCertificates(files, options(dir));
    assert.ok(results.every((r) => r.action === 'reused'));
    unlinkSync(path.join(dir, 'etcd/peer.crt'));
    unlinkSync(path.join(dir, 'etcd/peer.key'));
    await rejectsNaming(ensureCertificates(files, options(dir)), path.join(dir, 'etcd/peer.crt'), /CA key is not here/);
  });
});

test('only: a subset of leaves; unknown names are refused', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-pki-'));
  try {
    const results = await ensureCertificates(files, { ...options(dir), only: ['etcd-healthcheck-client'] });
    assert.deepEqual(results.map((r) => r.name), ['etcd-ca', 'etcd-healthcheck-client']);
    await assert.rejects(ensureCertificates(files, { ...options(dir), only: ['etcd-nope'] }), /unknown certificate "etcd-nope"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid SANs and advertise addresses are refused before anything is written', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-pki-'));
  try {
    await assert.rejects(ensureCertificates(files, options(dir, { serverCertSANs: ['bad_name!'] })), /"bad_name!" is neither an IP address nor a DNS name; it cannot be a SAN of etcd-server/);
    await assert.rejects(
      ensureCertificates(files, options(dir, { host: { name: 'cp-1', advertiseAddress: 'cp-1.example' } })),
      /advertise address "cp-1.example" of host cp-1 is not an IP address/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspection reports states without writing; a failing run writes nothing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-pki-'));
  try {
    const fresh = await inspectCertificates(files, options(dir));
    assert.deepEqual(fresh.map((i) => [i.name, i.state, i.problems.length]), [
      ['etcd-ca', 'absent', 0],
      ['etcd-server', 'absent', 0],
      ['etcd-peer', 'absent', 0],
      ['etcd-healthcheck-client', 'absent', 0],
      ['apiserver-etcd-client', 'absent', 0],
    ]);
    assert.deepEqual(readdirSync(dir), []);
    await ensureCertificates(files, options(dir));
    unlinkSync(path.join(dir, 'etcd/peer.crt'));
    unlinkSync(path.join(dir, 'etcd/peer.key'));
    copyFileSync(path.join(dir, 'etcd/healthcheck-client.key'), path.join(dir, 'etcd/server.key'));
    const broken = await inspectCertificates(files, options(dir));
    assert.deepEqual(broken.map((i) => i.state), ['valid', 'invalid', 'absent', 'valid', 'valid']);
    assert.equal(broken[1].problemFile, path.join(dir, 'etcd/server.crt'));
    await assert.rejects(ensureCertificates(files, options(dir)), /server\.crt: the certificate does not match the private key/);
    assert.ok(!existsSync(path.join(dir, 'etcd/peer.crt')), 'the missing peer pair was not created by a failing run');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('leaves without their CA are reported', async () => {
  await withTree(async (dir) => {
    unlinkSync(path.join(dir, 'etcd/ca.crt'));
    unlinkSync(path.join(dir, 'etcd/ca.key'));
    const inspected = await inspectCertificates(files, options(dir));
    assert.equal(inspected[0].state, 'absent');
    assert.deepEqual(inspected[1].problems, [`${path.join(dir, 'etcd/server.crt')}: exists, but its CA ${path.join(dir, 'etcd/ca.crt')} does not`]);
    await assert.rejects(ensureCertificates(files, options(dir)), PkiError);
    assert.ok(!existsSync(path.join(dir, 'etcd/ca.crt')), 'no new CA was made over existing leaves');
  });
});
