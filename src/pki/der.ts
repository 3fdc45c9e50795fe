// Small DER builders and readers over node-forge's ASN.1 module. forge strings are "binary
// strings" (one char per byte); these helpers take and give Buffers at the edges.
import * as forge from 'node-forge';

const { asn1 } = forge;
export type Asn1 = forge.asn1.Asn1;

const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

export const bin = (b: Buffer): string => b.toString('latin1');
export const buf = (s: string): Buffer => Buffer.from(s, 'latin1');

export const seq = (items: Asn1[]): Asn1 => asn1.create(U, T.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => asn1.create(U, T.SET, true, items);
export const oid = (dotted: string): Asn1 => asn1.create(U, T.OID, false, asn1.oidToDer(dotted).getBytes());
export const nul = (): Asn1 => asn1.create(U, T.NULL, false, '');
export const bool = (v: boolean): Asn1 => asn1.create(U, T.BOOLEAN, false, v ? '\xff' : '\x00');
export const octets = (b: Buffer): Asn1 => asn1.create(U, T.OCTETSTRING, false, bin(b));
export const bitString = (b: Buffer, unusedBits = 0): Asn1 =>
  asn1.create(U, T.BITSTRING, false, String.fromCharCode(unusedBits) + bin(b));
/** [n] EXPLICIT wrapper. */
export const explicit = (tag: number, inner: Asn1): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [inner]);
/** [n] IMPLICIT primitive value. */
export const implicit = (tag: number, b: Buffer): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, bin(b));

/** A non-negative INTEGER from big-endian bytes, minimally encoded. */
export function unsignedInteger(bytes: Buffer): Asn1 {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let body = bytes.subarray(start);
  if (body.length === 0) body = Buffer.from([0]);
  if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return asn1.create(U, T.INTEGER, false, bin(body));
}

export const smallInteger = (n: number): Asn1 =>
  asn1.create(U, T.INTEGER, false, asn1.integerToDer(n).getBytes());

/** PrintableString's alphabet (with '*' and '&', which Go also admits); anything else is UTF8String. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/;
export const directoryString = (s: string): Asn1 =>
  PRINTABLE.test(s)
    ? asn1.create(U, T.PRINTABLESTRING, false, s)
    : asn1.create(U, T.UTF8, false, forge.util.encodeUtf8(s));

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(d: Date): Asn1 {
  const y = d.getUTCFullYear();
  const p = (n: number): string => String(n).padStart(2, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return asn1.create(U, T.UTCTIME, false, `${p(y % 100)}${rest}`);
  return asn1.create(U, T.GENERALIZEDTIME, false, `${String(y).padStart(4, '0')}${rest}`);
}

export const toDer = (node: Asn1): Buffer => buf(asn1.toDer(node).getBytes());

// forge accepts an options object here; its type definitions only know the older boolean form.
const forgeFromDer = asn1.fromDer as unknown as (bytes: string, options: { strict: boolean; decodeBitStrings: boolean }) => Asn1;

/** Parses DER, keeping BIT STRING contents as raw bytes so re-encoding is byte-exact. */
export const fromDer = (der: Buffer): Asn1 => forgeFromDer(bin(der), { strict: true, decodeBitStrings: false });

/** The children of a constructed node (empty for a primitive one). */
export const children = (node: Asn1): Asn1[] => (Array.isArray(node.value) ? node.value : []);
/** Whether the node is there and is the universal type named (SEQUENCE, INTEGER, ...). */
export const isUniversal = (node: Asn1 | undefined, type: keyof typeof asn1.Type): boolean =>
  node !== undefined && node.tagClass === U && node.type === T[type];
/** The content bytes of a primitive node. */
export const content = (node: Asn1): Buffer => buf(typeof node.value === 'string' ? node.value : '');
export const oidOf = (node: Asn1): string => asn1.derToOid(forge.util.createBuffer(node.value as string));
