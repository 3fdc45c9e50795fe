import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackError, huffmanCode, huffmanDecode } from '../../src/hpack';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const decode = (bytes: Buffer): string => huffmanDecode(bytes, 0, bytes.length);

/** Huffman-encodes latin1 text with the code under test, padding with EOS's leading ones. */
function encode(text: string): Buffer {
  let bits = '';
  for (const c of Buffer.from(text, 'latin1')) {
    const { code, length } = huffmanCode(c);
    bits += code.toString(2).padStart(length, '0');
  }
  bits += '1'.repeat((8 - (bits.length % 8)) % 8);
  return Buffer.from(bits.match(/.{8}/g)?.map((b) => parseInt(b, 2)) ?? []);
}

test('the code is a complete prefix code: its lengths fill the Kraft sum exactly', () => {
  let sum = 0;
  for (let symbol = 0; symbol <= 256; symbol++) sum += 2 ** -huffmanCode(symbol).length;
  assert.equal(sum, 1);
  assert.deepEqual(huffmanCode(256), { code: 0x3fffffff, length: 30 });
  assert.deepEqual(huffmanCode('0'.charCodeAt(0)), { code: 0x0, length: 5 });
  assert.deepEqual(huffmanCode(0), { code: 0x1ff8, length: 13 });
  assert.deepEqual(huffmanCode(255), { code: 0x3ffffee, length: 26 });
});

test('decodes the examples of RFC 7541 appendix C', () => {
  assert.equal(decode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff')), 'www.example.com');
  assert.equal(decode(hex('a8eb 1064 9cbf')), 'no-cache');
  assert.equal(decode(hex('25a8 49e9 5ba9 7d7f')), 'custom-key');
  assert.equal(decode(hex('25a8 49e9 5bb8 e8b4 bf')), 'custom-value');
  assert.equal(decode(hex('6402')), '302');
  assert.equal(decode(hex('aec3 771a 4b')), 'private');
  assert.equal(decode(hex('9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3')), 'https://www.example.com');
  assert.equal(decode(Buffer.alloc(0)), '');
});

test('every octet value round-trips, long codes included', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('latin1');
  assert.equal(decode(encode(all)), all);
  assert.equal(decode(encode('http://127.0.0.1:2379')), 'http://127.0.0.1:2379');
});

test('refuses padding longer than 7 bits, padding that is not all ones, and EOS', () => {
  const good = hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff');
  assert.throws(() => decode(Buffer.concat([good, hex('ff')])), HpackError);
  assert.throws(() => decode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4fe')), HpackError);
  assert.throws(() => decode(hex('ffff ffff')), /EOS/);
  // '0' is 00000, so a lone byte 0x00 leaves 3 zero bits of padding
  assert.throws(() => decode(hex('00')), /padding/);
});
