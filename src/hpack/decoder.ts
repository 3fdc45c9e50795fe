// An HPACK decoder (RFC 7541) that keeps the dynamic table of one direction of one connection. It
// must see every header block of that direction, in order, or its table goes out of step.
import { HpackError } from './errors';
import { huffmanDecode } from './huffman';
import { type HeaderField, staticTable } from './static-table';

export interface HpackDecoderOptions {
  /** SETTINGS_HEADER_TABLE_SIZE of the receiving side: the table's initial size and the most a size update may ask for. */
  readonly maxTableSize: number;
  /** The largest decoded header list accepted, counted as HTTP/2 does (name + value + 32 per field). */
  readonly maxHeaderListSize: number;
}

/** RFC 7541 4.1: an entry costs its name and value octets plus 32. */
const entryOverhead = 32;
/** Integers past this are no index or length a sane block holds; refusing them keeps the arithmetic exact. */
const maxInteger = 2 ** 28;

export class HpackDecoder {
  /** Oldest first: dynamic index 1 is the last element. */
  private readonly entries: HeaderField[] = [];
  private tableSize = 0;
  private tableLimit: number;
  private block: Uint8Array = new Uint8Array(0);
  private pos = 0;

  constructor(private readonly options: HpackDecoderOptions) {
    this.tableLimit = options.maxTableSize;
  }

  /** Decodes one complete header block, updating the dynamic table; throws HpackError if it is malformed. */
  decode(block: Uint8Array): HeaderField[] {
    this.block = block;
    this.pos = 0;
    const fields: HeaderField[] = [];
    let listSize = 0;
    while (this.pos < block.length) {
      const first = block[this.pos];
      let field: HeaderField;
      if (first & 0x80) {
        field = this.lookup(this.integer(7));
      } else if (first & 0x40) {
        field = this.literal(6, false);
        this.add(field);
      } else if (first & 0x20) {
        // Dynamic table size updates may only open a block (RFC 7541 4.2).
        if (fields.length > 0) throw new HpackError('hpack: dynamic table size update after a header field');
        this.resize(this.integer(5));
        continue;
      } else {
        field = this.literal(4, (first & 0x10) !== 0);
      }
      listSize += field.name.length + field.value.length + entryOverhead;
      if (listSize > this.options.maxHeaderListSize) throw new HpackError(`hpack: header list larger than ${this.options.maxHeaderListSize} bytes`);
      fields.push(field);
    }
    return fields;
  }

  private integer(prefixBits: number): number {
    const block = this.block;
    const mask = (1 << prefixBits) - 1;
    let value = block[this.pos++] & mask;
    if (value < mask) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= block.length) throw new HpackError('hpack: truncated integer');
      const byte = block[this.pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (value > maxInteger) throw new HpackError('hpack: integer too large');
      if ((byte & 0x80) === 0) return value;
    }
  }

  private string(): string {
    if (this.pos >= this.block.length) throw new HpackError('hpack: truncated string');
    const huffman = (this.block[this.pos] & 0x80) !== 0;
    const length = this.integer(7);
    const start = this.pos;
    const end = start + length;
    if (end > this.block.length) throw new HpackError('hpack: truncated string');
    this.pos = end;
    return huffman ? huffmanDecode(this.block, start, end) : Buffer.from(this.block.buffer, this.block.byteOffset + start, length).toString('latin1');
  }

  private literal(prefixBits: number, sensitive: boolean): HeaderField {
    const nameIndex = this.integer(prefixBits);
    const name = nameIndex === 0 ? this.string() : this.lookup(nameIndex).name;
    const value = this.string();
    return sensitive ? { name, value, sensitive } : { name, value };
  }

  private lookup(index: number): HeaderField {
    if (index === 0) throw new HpackError('hpack: index 0');
    if (index <= staticTable.length) return staticTable[index - 1];
    const dynamic = index - staticTable.length;
    if (dynamic > this.entries.length) throw new HpackError(`hpack: index ${index} past the dynamic table`);
    const { name, value } = this.entries[this.entries.length - dynamic];
    return { name, value };
  }

  private add(field: HeaderField): void {
    const size = field.name.length + field.value.length + entryOverhead;
    this.evictTo(this.tableLimit - size);
    // An entry larger than the whole table empties it and is not kept (RFC 7541 4.4).
    if (size <= this.tableLimit) {
      this.entries.push({ name: field.name, value: field.value });
      this.tableSize += size;
    }
  }

  private resize(limit: number): void {
    if (limit > this.options.maxTableSize) throw new HpackError(`hpack: dynamic table size update to ${limit} above ${this.options.maxTableSize}`);
    this.tableLimit = limit;
    this.evictTo(limit);
  }

  private evictTo(size: number): void {
    while (this.tableSize > Math.max(size, 0)) {
      const oldest = this.entries.shift() as HeaderField;
      this.tableSize -= oldest.name.length + oldest.value.length + entryOverhead;
    }
  }
}
