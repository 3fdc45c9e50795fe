// An HPACK encoder that leaves the peer's dynamic table alone: fields go out as static-table
// references or as literals "without indexing" ("never indexed" for sensitive ones), in raw octets.
import { type HeaderField, staticTable } from './static-table';

/** name -> value -> static index; the first index of a name also under the key `undefined`. */
const staticIndex = new Map<string, Map<string | undefined, number>>();
staticTable.forEach(({ name, value }, i) => {
  let byValue = staticIndex.get(name);
  if (!byValue) {
    byValue = new Map([[undefined, i + 1]]);
    staticIndex.set(name, byValue);
  }
  if (value !== '' && !byValue.has(value)) byValue.set(value, i + 1);
});

/** Most octets an integer below 2^28 takes, prefix byte included. */
const maxIntegerOctets = 5;

class Writer {
  readonly bytes: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  integer(value: number, prefixBits: number, pattern: number): void {
    const mask = (1 << prefixBits) - 1;
    if (value < mask) {
      this.bytes[this.length++] = pattern | value;
      return;
    }
    this.bytes[this.length++] = pattern | mask;
    let rest = value - mask;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  string(text: string): void {
    this.integer(text.length, 7, 0x00);
    this.length += this.bytes.write(text, this.length, 'latin1');
  }
}

/** Encodes `fields` as one header block that adds nothing to the decoder's dynamic table. */
export function encodeWithoutIndexing(fields: readonly HeaderField[]): Buffer {
  let capacity = 0;
  for (const { name, value } of fields) capacity += name.length + value.length + 3 * maxIntegerOctets;
  const out = new Writer(capacity);
  for (const field of fields) {
    const byValue = staticIndex.get(field.name);
    const full = field.sensitive ? undefined : byValue?.get(field.value);
    if (full !== undefined) {
      out.integer(full, 7, 0x80);
      continue;
    }
    const pattern = field.sensitive ? 0x10 : 0x00;
    const nameIndex = byValue?.get(undefined);
    if (nameIndex !== undefined) {
      out.integer(nameIndex, 4, pattern);
    } else {
      out.integer(0, 4, pattern);
      out.string(field.name);
    }
    out.string(field.value);
  }
  return out.bytes.subarray(0, out.length);
}
