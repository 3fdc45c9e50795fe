// CRC-32C (Castagnoli), the checksum etcd's hashkv uses. Byte-at-a-time table; hashing is not hot.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** A running CRC-32C: update() with each piece, then value. */
export class Crc32c {
  private crc = 0xffffffff;

  update(bytes: Uint8Array): this {
    let c = this.crc;
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    this.crc = c;
    return this;
  }

  get value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}
