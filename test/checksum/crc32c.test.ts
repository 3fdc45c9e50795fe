import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, Crc32c } from '../../src/checksum';

test('crc32c of the standard check string', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('the running hash equals the one-shot hash, however the bytes are split', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
  for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
    assert.equal(new Crc32c().update(data.subarray(0, cut)).update(data.subarray(cut)).digest(), crc32c(data));
  }
});

test('every alignment and length agrees with a bit-at-a-time reference (the word path and the byte path)', () => {
  const reference = (bytes: Uint8Array): number => {
    let c = ~0;
    for (const byte of bytes) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return ~c >>> 0;
  };
  const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 167 + 13) & 0xff));
  for (let from = 0; from < 9; from++) {
    for (const length of [0, 1, 7, 63, 64, 65, 71, 72, 200, 291 - from]) {
      const piece = data.subarray(from, from + length);
      assert.equal(crc32c(piece), reference(piece), `bytes [${from}, ${from + length})`);
      assert.equal(crc32c(data, 0, from, from + length), reference(piece), `range [${from}, ${from + length})`);
    }
  }
});
