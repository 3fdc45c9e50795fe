// The parts of src/tls-hardening on their own: CRL files as etcd's checkCRL reads them, Go's cipher
// suite names and their OpenSSL names, and Go's hostname rule for --*-cert-allowed-hostname.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CrlError,
  CrlFile,
  cipherSuiteNames,
  cipherSuitesProblem,
  opensslCipherList,
  opensslCipherName,
  revokedSerials,
  serialHex,
  validForHostname,
} from '../../src/tls-hardening';
import { makeTestPki, type TestPki } from './tls-fixtures';
import { issueCert, writeCrl, type IssuedCert } from '../support/crl-pki';

let pki: TestPki;
let revoked: IssuedCert;
let kept: IssuedCert;

before(() => {
  pki = makeTestPki();
  revoked = issueCert(pki.dir, 'revoked', { cn: 'revoked', sans: ['DNS:revoked.example'] });
  kept = issueCert(pki.dir, 'kept', { cn: 'kept' });
});
after(() => pki?.remove());

test('a CRL in PEM or DER lists the revoked serials, as etcd compares them', () => {
  const pem = join(pki.dir, 'list.pem');
  const der = join(pki.dir, 'list.der');
  writeCrl(pki.dir, pem, [revoked.cert]);
  writeCrl(pki.dir, der, [revoked.cert, kept.cert], { der: true });
  assert.deepEqual([...revokedSerials(readFileSync(pem))], [serialHex(revoked.serial)]);
  assert.deepEqual(new Set(revokedSerials(readFileSync(der))), new Set([serialHex(revoked.serial), serialHex(kept.serial)]));
  // text before the PEM block (a comment, a blank line) does not matter
  assert.equal(revokedSerials(Buffer.concat([Buffer.from('# made by openssl\n\n'), readFileSync(pem)])).size, 1);
  // a list that revokes nothing
  writeCrl(pki.dir, pem, []);
  assert.equal(revokedSerials(readFileSync(pem)).size, 0);
  // Go's %x of big.Int.Bytes(): lowercase, no leading zero bytes, whole bytes
  assert.equal(serialHex('00AB01'), 'ab01');
  assert.equal(serialHex('0A1B'), '0a1b');
  assert.equal(serialHex('A1B'), '0a1b');
});

test('what is not a CRL is an error saying so', () => {
  assert.throws(() => revokedSerials(readFileSync(pki.caFile)), (err: unknown) => err instanceof CrlError && /^not a DER \(nor PEM\) certificate revocation list/.test(err.message));
  assert.throws(() => revokedSerials(Buffer.from('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n')), /: not a PEM certificate revocation list: /);
  assert.throws(() => new CrlFile(join(pki.dir, 'missing.pem')), new CrlError('ENOENT'));
});

test('CrlFile reads the list again when the file changes, and refuses everything while it cannot be read', () => {
  const path = join(pki.dir, 'live.pem');
  writeCrl(pki.dir, path, []);
  const crl = new CrlFile(path);
  assert.equal(crl.refusal([revoked.serial]), undefined);
  writeCrl(pki.dir, path, [revoked.cert]);
  assert.equal(crl.refusal([kept.serial]), undefined);
  assert.equal(crl.refusal([kept.serial, revoked.serial]), `transport: certificate serial ${serialHex(revoked.serial)} revoked`);
  rmSync(path);
  assert.equal(crl.refusal([kept.serial]), `cannot read CRL file ${path}: ENOENT`);
  writeFileSync(path, 'garbage');
  assert.match(crl.refusal([kept.serial]) ?? '', /^cannot read CRL file .*: not a DER \(nor PEM\) certificate revocation list/);
  writeCrl(pki.dir, path, []);
  assert.equal(crl.refusal([revoked.serial]), undefined);
});

test('--cipher-suites takes Go\'s names (etcd 3.4 built with Go 1.19) and maps them to OpenSSL\'s', () => {
  assert.equal(cipherSuiteNames.length, 27);
  // OpenSSL's own table of standard (IANA) names, which are Go's, for every suite it has
  const table = new Map(
    execFileSync('openssl', ['ciphers', '-stdname', 'ALL:@SECLEVEL=0'], { encoding: 'utf8', timeout: 10000 })
      .split('\n')
      .map((line) => line.split(/\s+-\s+/))
      .filter((parts) => parts.length >= 2)
      .map(([iana, rest]) => [iana.trim(), rest.trim().split(/\s+/)[0]]),
  );
  const aliases = new Map([
    ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  ]);
  let checked = 0;
  for (const name of cipherSuiteNames) {
    const expected = table.get(aliases.get(name) ?? name);
    if (expected === undefined) continue; // RC4 and 3DES: not in this OpenSSL
    assert.equal(opensslCipherName(name), expected, name);
    checked++;
  }
  assert.ok(checked >= 22, `only ${checked} names checked against openssl`);

  assert.equal(cipherSuitesProblem(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256']), undefined);
  assert.equal(cipherSuitesProblem(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_FOO']), 'unexpected TLS cipher suite "TLS_FOO"');
  assert.equal(cipherSuitesProblem(['ECDHE-RSA-AES128-GCM-SHA256']), 'unexpected TLS cipher suite "ECDHE-RSA-AES128-GCM-SHA256"');
  assert.equal(cipherSuitesProblem(['TLS_RSA_WITH_RC4_128_SHA']), 'TLS cipher suite "TLS_RSA_WITH_RC4_128_SHA" (OpenSSL RC4-SHA) is not available in this Node.js\'s OpenSSL');

  // TLS 1.2 suites in order, TLS 1.3 names dropped (Go does not configure them), all three TLS 1.3 suites kept on
  const tls13 = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
  assert.equal(opensslCipherList([]), undefined);
  assert.equal(
    opensslCipherList(['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256']),
    `ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:${tls13}`,
  );
  assert.equal(opensslCipherList(['TLS_AES_128_GCM_SHA256']), tls13);
});

test('an allowed hostname is matched as Go\'s VerifyHostname does: subject alternative names only', () => {
  const wild = new X509Certificate(readFileSync(issueCert(pki.dir, 'wild', { cn: 'cn.example', sans: ['DNS:*.example.com', 'DNS:Peer.Example', 'IP:127.0.0.1'] }).cert));
  assert.equal(validForHostname(wild, 'a.example.com'), true);
  assert.equal(validForHostname(wild, 'a.b.example.com'), false);
  assert.equal(validForHostname(wild, 'example.com'), false);
  assert.equal(validForHostname(wild, 'peer.example'), true);
  assert.equal(validForHostname(wild, 'peer.example.'), true);
  assert.equal(validForHostname(wild, '127.0.0.1'), true);
  assert.equal(validForHostname(wild, '127.0.0.2'), false);
  // the CN is not a hostname for Go since 1.15 (etcd 3.4.23 is built with Go 1.19)
  assert.equal(validForHostname(wild, 'cn.example'), false);
  const partial = new X509Certificate(readFileSync(issueCert(pki.dir, 'partial', { cn: 'x', sans: ['DNS:f*.example.com'] }).cert));
  assert.equal(validForHostname(partial, 'foo.example.com'), false);
  const cnOnly = new X509Certificate(readFileSync(kept.cert));
  assert.equal(validForHostname(cnOnly, 'kept'), false);
});
