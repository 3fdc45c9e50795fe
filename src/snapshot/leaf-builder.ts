// Collects the elements of one leaf node as they arrive, copying keys and values straight into a
// reusable data area (no allocation per element), and encodes the node as pages or as an inline
// bucket value. bbolt's layout puts the element array before the data, so the data area is kept
// apart until the element count is known.
import {
  BUCKET_HEADER_SIZE,
  LEAF_ELEMENT_SIZE,
  LEAF_PAGE,
  PAGE_HEADER_SIZE,
  writePageHeader,
} from './layout';

export class LeafBuilder {
  private data: Buffer;
  private dataLen = 0;
  private flags: number[] = [];
  private ksizes: number[] = [];
  private vsizes: number[] = [];
  /** Start offset in `data` of the last key added, to compare the next key against. */
  private lastKeyAt = 0;

  constructor(pageSize: number) {
    this.data = Buffer.alloc(pageSize);
  }

  get count(): number {
    return this.flags.length;
  }

  /** The node's size in bytes: page header, element array and data. */
  get size(): number {
    return PAGE_HEADER_SIZE + LEAF_ELEMENT_SIZE * this.count + this.dataLen;
  }

  add(flags: number, key: Uint8Array, value: Uint8Array): void {
    const need = this.dataLen + key.length + value.length;
    if (need > this.data.length) {
      const grown = Buffer.alloc(Math.max(need, this.data.length * 2));
      this.data.copy(grown, 0, 0, this.dataLen);
      this.data = grown;
    }
    this.lastKeyAt = this.dataLen;
    this.data.set(key, this.dataLen);
    this.data.set(value, this.dataLen + key.length);
    this.dataLen = need;
    this.flags.push(flags);
    this.ksizes.push(key.length);
    this.vsizes.push(value.length);
  }

  /** Compares the last key added with `key` (negative when the last key sorts first); needs count > 0. */
  compareLastKey(key: Uint8Array): number {
    const last = this.ksizes[this.count - 1];
    return this.data.compare(key, 0, key.length, this.lastKeyAt, this.lastKeyAt + last);
  }

  lastKey(): Buffer {
    return Buffer.from(this.data.subarray(this.lastKeyAt, this.lastKeyAt + this.ksizes[this.count - 1]));
  }

  firstKey(): Buffer {
    return Buffer.from(this.data.subarray(0, this.ksizes[0]));
  }

  /** Writes the node at the start of `out` (zeroed, whole pages) as page `pgid`. */
  encodeNode(out: Buffer, pgid: number, overflow: number): void {
    this.writeNode(out, 0, pgid, overflow);
  }

  /** A bucket value holding the node inline: bucket header (root 0, sequence 0), then the page. */
  encodeInline(): Buffer {
    const out = Buffer.alloc(BUCKET_HEADER_SIZE + this.size);
    this.writeNode(out, BUCKET_HEADER_SIZE, 0, 0);
    return out;
  }

  reset(): void {
    this.dataLen = 0;
    this.flags = [];
    this.ksizes = [];
    this.vsizes = [];
  }

  private writeNode(out: Buffer, offset: number, pgid: number, overflow: number): void {
    const n = this.count;
    writePageHeader(out.subarray(offset), { id: pgid, flags: LEAF_PAGE, count: n, overflow });
    const dataStart = offset + PAGE_HEADER_SIZE + LEAF_ELEMENT_SIZE * n;
    let data = dataStart;
    for (let i = 0; i < n; i++) {
      const at = offset + PAGE_HEADER_SIZE + LEAF_ELEMENT_SIZE * i;
      out.writeUInt32LE(this.flags[i], at);
      out.writeUInt32LE(data - at, at + 4);
      out.writeUInt32LE(this.ksizes[i], at + 8);
      out.writeUInt32LE(this.vsizes[i], at + 12);
      data += this.ksizes[i] + this.vsizes[i];
    }
    this.data.copy(out, dataStart, 0, this.dataLen);
  }
}
