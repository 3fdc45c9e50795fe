/** A header block that breaks HPACK's rules (RFC 7541): HTTP/2 calls this a COMPRESSION_ERROR. */
export class HpackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HpackError';
  }
}
