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
