// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the hash etcdctl's `snapshot status`
// reports. Incremental, so a whole snapshot can be hashed as it streams by.
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export class Crc32c {
  private state = 0xffffffff;

  update(bytes: Uint8Array): this {
    let c = this.state;
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    this.state = c;
    return this;
  }

  digest(): number {
    return (this.state ^ 0xffffffff) >>> 0;
  }
}
