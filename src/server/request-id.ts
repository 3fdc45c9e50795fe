// Request and lease IDs, unique per member across restarts (etcd's pkg/idutil): the member ID's low
// 16 bits, then 40 bits of the start time in milliseconds and an 8-bit counter that carries into it.
// The clock is read once, at start, so IDs stay unique as long as a restart takes over a millisecond.

const suffixBits = 48n;
const suffixMask = (1n << suffixBits) - 1n;
const timeBits = 40n;
const countBits = 8n;

export class RequestIdGenerator {
  private readonly prefix: bigint;
  private suffix: bigint;

  constructor(memberId: bigint, nowMs: number) {
    this.prefix = (memberId & 0xffffn) << suffixBits;
    this.suffix = (BigInt(Math.floor(nowMs)) & ((1n << timeBits) - 1n)) << countBits;
  }

  next(): bigint {
    this.suffix = (this.suffix + 1n) & suffixMask;
    return this.prefix | this.suffix;
  }
}
