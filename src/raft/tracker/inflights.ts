// The append messages sent to one follower and not yet acknowledged, as a ring buffer
// of (last index, bytes). Full when either the message count or the byte budget is used up.

export class Inflights {
  private start = 0;
  private count = 0;
  private bytes = 0;
  private readonly indexes: number[];
  private readonly sizes: number[];
  readonly size: number;
  readonly maxBytes: number;

  constructor(size: number, maxBytes: number) {
    this.size = size;
    this.maxBytes = maxBytes;
    this.indexes = new Array<number>(size).fill(0);
    this.sizes = new Array<number>(size).fill(0);
  }

  clone(): Inflights {
    const c = new Inflights(this.size, this.maxBytes);
    c.start = this.start;
    c.count = this.count;
    c.bytes = this.bytes;
    for (let i = 0; i < this.size; i++) {
      c.indexes[i] = this.indexes[i];
      c.sizes[i] = this.sizes[i];
    }
    return c;
  }

  /** Records a sent message whose last entry is index. Indexes must be added in order. */
  add(index: number, bytes: number): void {
    if (this.full()) throw new Error('raft: cannot add into a full inflights');
    let next = this.start + this.count;
    if (next >= this.size) next -= this.size;
    this.indexes[next] = index;
    this.sizes[next] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= to (they were acknowledged). */
  freeLE(to: number): void {
    if (this.count === 0 || to < this.indexes[this.start]) return;
    let idx = this.start;
    let i = 0;
    let freed = 0;
    for (; i < this.count; i++) {
      if (to < this.indexes[idx]) break;
      freed += this.sizes[idx];
      idx++;
      if (idx >= this.size) idx -= this.size;
    }
    this.count -= i;
    this.bytes -= freed;
    this.start = idx;
    if (this.count === 0) this.start = 0;
  }

  full(): boolean {
    return this.count === this.size || (this.maxBytes !== 0 && this.bytes >= this.maxBytes);
  }

  countInflight(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
