// Telling HTTP/2 from HTTP/1.x by a connection's first bytes: HTTP/2 clients open with the
// connection preface, HTTP/1.x clients with a request line.

/** The fixed 24 bytes an HTTP/2 client sends first (RFC 9113, section 3.4). */
export const http2Preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Longest method token we wait for before calling the bytes garbage. */
const maxMethodLength = 16;

export type Preface = 'h2' | 'http1' | 'undecided' | 'unknown';

/** Classifies the bytes received so far; `undecided` means wait for more. */
export function classifyPreface(head: Uint8Array): Preface {
  const n = Math.min(head.length, http2Preface.length);
  if (Buffer.compare(head.subarray(0, n), http2Preface.subarray(0, n)) === 0) {
    return head.length >= http2Preface.length ? 'h2' : 'undecided';
  }
  // An HTTP/1.x request line starts with a method token (GET, POST, ...) and a space.
  for (let i = 0; i < head.length && i <= maxMethodLength; i++) {
    const c = head[i];
    if (c === 0x20) return i > 0 ? 'http1' : 'unknown';
    if (c < 0x41 || c > 0x5a) return 'unknown';
  }
  return head.length > maxMethodLength ? 'unknown' : 'undecided';
}
