// HPACK (RFC 7541), as much as a proxy of client header blocks needs: a decoder that follows the
// client's dynamic table, and an encoder that never adds to the server's.
export { HpackDecoder } from './decoder';
export type { HpackDecoderOptions } from './decoder';
export { encodeWithoutIndexing } from './encoder';
export { HpackError } from './errors';
export { huffmanCode, huffmanDecode } from './huffman';
export type { HeaderField } from './static-table';
