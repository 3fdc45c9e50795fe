// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78): the WAL's frame checksum, and the hash of
// etcd's hashkv and `snapshot status`. Node 20 has no built-in CRC-32C, so this is a table-driven
// slicing-by-8 implementation. It reads the bulk of the bytes as 32-bit little-endian words
// through an Int32Array view (half the loads and bounds checks of reading bytes): a restart
// checks every WAL frame, hundreds of megabytes for a million keys.

import { endianness } from 'node:os';

const POLY = 0x82f63b78;

/** Eight 256-entry tables, table t at [t * 256, t * 256 + 256). */
function makeTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

const T = makeTables();

/** Below this many bytes the word view is not worth making. */
const WORDS_FROM = 64;
const LITTLE_ENDIAN = endianness() === 'LE';

/** Extends `crc` (the value returned for the bytes before) with `bytes[start, end)`. Start with 0. */
export function crc32c(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  let c = ~crc;
  let i = start;
  if (LITTLE_ENDIAN && end - i >= WORDS_FROM) {
    while (((bytes.byteOffset + i) & 3) !== 0) c = T[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
    const pairs = (end - i) >>> 3;
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, pairs * 2);
    for (let w = 0; w < words.length; w += 2) {
      const lo = c ^ words[w];
      const hi = words[w + 1];
      c =
        T[0x700 + (lo & 0xff)] ^
        T[0x600 + ((lo >>> 8) & 0xff)] ^
        T[0x500 + ((lo >>> 16) & 0xff)] ^
        T[0x400 + (lo >>> 24)] ^
        T[0x300 + (hi & 0xff)] ^
        T[0x200 + ((hi >>> 8) & 0xff)] ^
        T[0x100 + ((hi >>> 16) & 0xff)] ^
        T[hi >>> 24];
    }
    i += pairs * 8;
  }
  for (; i < end; i++) c = T[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** A running CRC-32C over pieces that arrive one by one: update() each, then digest(). */
export class Crc32c {
  private crc = 0;

  update(bytes: Uint8Array): this {
    this.crc = crc32c(bytes, this.crc);
    return this;
  }

  digest(): number {
    return this.crc;
  }
}
