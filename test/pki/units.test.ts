// Small pure pieces: IP bytes, serials, residual time, key algorithms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { generatePrivateKey, randomSerial, shortHumanDuration, formatExpiry, keyAlgorithmOf, isKeyAlgorithm, parsePrivateKey, privateKeyToPem, isDnsSubdomain } from '../../src/pki';
import { ipFromBytes, ipToBytes } from '../../src/pki/ip';
import { fixtureKeys } from './fixture-keys';

test('IP addresses to bytes and back', () => {
  const cases: [string, string, string][] = [
    ['127.0.0.1', '7f000001', '127.0.0.1'],
    ['::1', '00000000000000000000000000000001', '::1'],
    ['fe80::1:2', 'fe800000000000000000000000010002', 'fe80::1:2'],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304', '::ffff:102:304'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008', '1:2:3:4:5:6:7:8'],
    ['2001:db8::', '20010db8000000000000000000000000', '2001:db8::'],
  ];
  for (const [text, hex, back] of cases) {
    assert.equal(ipToBytes(text)?.toString('hex'), hex, text);
    assert.equal(ipFromBytes(Buffer.from(hex, 'hex')), back, text);
  }
  assert.equal(ipToBytes('host.example'), undefined);
  assert.equal(ipToBytes('300.1.1.1'), undefined);
});

test('serials: top bit cleared, zeros redrawn, 8 bytes', () => {
  assert.equal(randomSerial(() => Buffer.alloc(8, 0xff)).toString('hex'), '7fffffffffffffff');
  let calls = 0;
  const serial = randomSerial(() => (calls++ === 0 ? Buffer.alloc(8) : Buffer.from('0000000000000001', 'hex')));
  assert.equal(serial.toString('hex'), '0000000000000001');
  assert.equal(calls, 2);
  assert.throws(() => randomSerial(() => Buffer.alloc(8)), /random source gives only zeros/);
});

test('residual time as kubeadm prints it', () => {
  const s = 1000;
  assert.equal(shortHumanDuration(-5 * s), '<invalid>');
  assert.equal(shortHumanDuration(-500), '0s');
  assert.equal(shortHumanDuration(59 * s), '59s');
  assert.equal(shortHumanDuration(59 * 60 * s), '59m');
  assert.equal(shortHumanDuration(23 * 3600 * s), '23h');
  assert.equal(shortHumanDuration(364 * 86400 * s), '364d');
  assert.equal(shortHumanDuration(3650 * 86400 * s), '10y');
  assert.equal(formatExpiry(new Date(Date.UTC(2027, 0, 5, 3, 4, 59))), 'Jan 05, 2027 03:04 UTC');
});

test('key algorithms of keys; PEM in Go keyutil block types', () => {
  assert.equal(keyAlgorithmOf(fixtureKeys('rsa-2048')[0]), 'rsa-2048');
  assert.equal(keyAlgorithmOf(fixtureKeys('ecdsa-p384')[0]), 'ecdsa-p384');
  assert.ok(isKeyAlgorithm('ecdsa-p256'));
  assert.ok(!isKeyAlgorithm('ed25519'));
  assert.match(privateKeyToPem(fixtureKeys('rsa-2048')[0]), /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.match(privateKeyToPem(fixtureKeys('ecdsa-p256')[0]), /^-----BEGIN EC PRIVATE KEY-----\n/);
  const ed = createPrivateKey({ key: Buffer.from('302e020100300506032b657004220420' + '11'.repeat(32), 'hex'), format: 'der', type: 'pkcs8' });
  assert.throws(() => parsePrivateKey(ed.export({ type: 'pkcs8', format: 'pem' }).toString(), '/x.key'), /pki: \/x\.key: neither an RSA nor an ECDSA key/);
  assert.throws(() => parsePrivateKey('junk', '/y.key'), /pki: \/y\.key: not a PEM private key/);
});

test('DNS names that may be SANs', () => {
  assert.ok(isDnsSubdomain('cp-1.example.com'));
  assert.ok(!isDnsSubdomain('CP_1'));
  assert.ok(!isDnsSubdomain('-a'));
  assert.ok(!isDnsSubdomain('a'.repeat(254)));
});

test('the default generator makes keys of the asked algorithm', () => {
  assert.equal(keyAlgorithmOf(generatePrivateKey('rsa-2048')), 'rsa-2048');
  assert.equal(keyAlgorithmOf(generatePrivateKey('ecdsa-p256')), 'ecdsa-p256');
  assert.equal(keyAlgorithmOf(generatePrivateKey('ecdsa-p384')), 'ecdsa-p384');
});
