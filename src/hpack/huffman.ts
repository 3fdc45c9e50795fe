// HPACK's static Huffman code (RFC 7541, Appendix B). The code is canonical, so the bit length of
// each symbol defines it: codes are handed out in order of length, then of symbol. Only decoding is
// needed here (our encoder writes raw strings).
import { HpackError } from './errors';

/** Code length in bits of symbols 0..255, then of EOS (256). */
// prettier-ignore
const codeLengths: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];

const EOS = 256;
const maxLength = 30;

/** Canonical decoding tables: per length, the first code, how many codes, and where its symbols start. */
interface Canonical {
  readonly firstCode: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  /** Symbols ordered by (length, symbol). */
  readonly symbols: Int32Array;
}

function buildCanonical(): Canonical {
  const count = new Int32Array(maxLength + 1);
  for (const length of codeLengths) count[length]++;
  const firstCode = new Int32Array(maxLength + 1);
  const offset = new Int32Array(maxLength + 1);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= maxLength; length++) {
    firstCode[length] = code;
    offset[length] = index;
    code = (code + count[length]) << 1;
    index += count[length];
  }
  const symbols = new Int32Array(codeLengths.length);
  const next = Int32Array.from(offset);
  codeLengths.forEach((length, symbol) => {
    symbols[next[length]++] = symbol;
  });
  return { firstCode, count, offset, symbols };
}

const canonical = buildCanonical();

/** The code of `symbol` (0..256) and its length, for tests and encoders. */
export function huffmanCode(symbol: number): { code: number; length: number } {
  const length = codeLengths[symbol];
  const { firstCode, offset, symbols } = canonical;
  let rank = offset[length];
  while (symbols[rank] !== symbol) rank++;
  return { code: firstCode[length] + rank - offset[length], length };
}

/**
 * Decodes the Huffman-coded octets `bytes[start, end)` into a latin1 string. Throws HpackError on
 * EOS inside the string and on padding that is longer than 7 bits or not made of 1 bits.
 */
export function huffmanDecode(bytes: Uint8Array, start: number, end: number): string {
  const { firstCode, count, offset, symbols } = canonical;
  // The shortest code has 5 bits, so a string decodes to at most 8/5 of its length.
  const out = Buffer.allocUnsafe(Math.ceil(((end - start) * 8) / 5));
  let n = 0;
  let code = 0;
  let length = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      length++;
      const rank = code - firstCode[length];
      if (rank >= 0 && rank < count[length]) {
        // The code is complete, so every 30-bit sequence ends a symbol: `length` never passes 30.
        const symbol = symbols[offset[length] + rank];
        if (symbol === EOS) throw new HpackError('huffman: EOS inside a string');
        out[n++] = symbol;
        code = 0;
        length = 0;
      }
    }
  }
  // Leftover bits are padding: a prefix of EOS (all ones), shorter than a byte.
  if (length > 7 || code !== (1 << length) - 1) throw new HpackError('huffman: invalid padding');
  return out.toString('latin1', 0, n);
}
