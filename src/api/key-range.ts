// A key range as etcd's API spells it: half-open [key, rangeEnd). An empty rangeEnd means the single
// key; a rangeEnd of one zero byte means every key from `key` on; key = rangeEnd = "\0" means all keys.
// ctl, client and mvcc share this one value type.

export interface KeyRange {
  readonly key: Buffer;
  readonly rangeEnd: Buffer;
}

const ZERO = Buffer.from([0]);
const EMPTY = Buffer.alloc(0);

/** The single key. */
export function singleKey(key: Buffer | string): KeyRange {
  return { key: toBuffer(key), rangeEnd: EMPTY };
}

/** Every key that starts with `prefix` (an empty prefix means every key). */
export function prefixRange(prefix: Buffer | string): KeyRange {
  const key = toBuffer(prefix);
  if (key.length === 0) return allKeys();
  return { key, rangeEnd: prefixEnd(key) };
}

/** Every key greater than or equal to `key`. */
export function fromKeyRange(key: Buffer | string): KeyRange {
  const k = toBuffer(key);
  return { key: k.length === 0 ? ZERO : k, rangeEnd: ZERO };
}

export function allKeys(): KeyRange {
  return { key: ZERO, rangeEnd: ZERO };
}

/**
 * The first key after every key with this prefix: the prefix with its last byte below 0xff
 * incremented and what follows dropped. A prefix of only 0xff bytes has no end: "\0" (to the end).
 */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] += 1;
      return end;
    }
  }
  return ZERO;
}

/** Whether `key` lies in the range (rangeEnd "\0" is unbounded above). */
export function rangeContains(range: KeyRange, key: Buffer): boolean {
  if (range.rangeEnd.length === 0) return key.equals(range.key);
  if (Buffer.compare(key, range.key) < 0) return false;
  if (range.rangeEnd.length === 1 && range.rangeEnd[0] === 0) return true;
  return Buffer.compare(key, range.rangeEnd) < 0;
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}
