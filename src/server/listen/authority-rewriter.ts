// etcdctl 3.4 dials per-endpoint calls (endpoint status, endpoint hashkv, defrag) on plain
// endpoints written "http://host:port" with that whole string as the HTTP/2 :authority. Go's
// server takes it; nghttp2 (Node's HTTP/2) resets the stream with PROTOCOL_ERROR because '/' may not
// appear in an authority. This rewriter reads the client's side of a connection before nghttp2
// does and strips the scheme (and any path) from such an :authority.
//
// Frames other than header blocks pass untouched. Every header block is decoded with the client's
// dynamic table, to follow it. While no :authority needed fixing, blocks pass as they came, so
// nghttp2's table stays the client's. From the first block that needs it on, the connection is
// translated: each block is re-encoded without indexing (nghttp2's table no longer changes, and
// the client's indices are resolved here), split into frames nghttp2 accepts.
import { type HeaderField, HpackDecoder, encodeWithoutIndexing } from '../../hpack';
import { http2Preface } from '../../preface';
import { CONTINUATION, END_HEADERS, END_STREAM, HEADERS, PADDED, PRIORITY, PUSH_PROMISE, frameHeaderSize, headerTableSize, maxFrameSize, priorityFieldsSize } from './h2-frame';

/** A connection that breaks HTTP/2 framing or HPACK where this rewriter must understand it. */
export class Http2RewriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Http2RewriteError';
  }
}

export interface AuthorityRewriterOptions {
  /** Largest encoded header block held while it is read (HEADERS plus CONTINUATION payloads). */
  readonly maxHeaderBlockSize: number;
  /** Largest decoded header list (name + value + 32 per field). */
  readonly maxHeaderListSize: number;
}

/**
 * Far above what the server accepts (Node's default SETTINGS_MAX_HEADER_LIST_SIZE is 64 KiB, and
 * nghttp2 refuses such a stream itself): these only bound the memory one connection can hold.
 */
export const defaultAuthorityRewriterOptions: AuthorityRewriterOptions = {
  maxHeaderBlockSize: 1 << 20,
  maxHeaderListSize: 1 << 20,
};

const schemePrefix = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** The authority `value` names once a URL's scheme and path are taken off, or undefined when it has no scheme. */
export function authorityWithoutScheme(value: string): string | undefined {
  const scheme = schemePrefix.exec(value);
  if (!scheme) return undefined;
  const rest = value.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The header block being read: its bytes from earlier chunks and its HPACK fragments. */
interface OpenBlock {
  readonly stream: number;
  readonly flags: number;
  /** The HEADERS frame's priority fields, kept when the block is re-encoded. */
  priority?: Buffer;
  /** The block's bytes as received, from chunks before the current one. */
  readonly earlier: Buffer[];
  readonly fragments: Buffer[];
  size: number;
}

export class AuthorityRewriter {
  private readonly decoder: HpackDecoder;
  private prefaceLeft = http2Preface.length;
  /** Frame header bytes read so far. */
  private readonly head = Buffer.alloc(frameHeaderSize);
  private headLength = 0;
  /** Payload bytes still to come of a frame that passes untouched. */
  private passLeft = 0;
  /** Payload of the header-block frame being read: its parts so far and the bytes still to come. */
  private holdParts: Buffer[] = [];
  private holdLeft = 0;
  private holding = false;
  /** The held frame's flags that matter here (padding and priority only for HEADERS). */
  private holdFlags = 0;
  private block: OpenBlock | undefined;
  private translating = false;
  // Per transform() call: the chunk, where its passing bytes not yet in `out` start, and where the
  // open block's bytes start in it.
  private chunk: Buffer = Buffer.alloc(0);
  private out: Buffer[] = [];
  private spanStart = 0;
  private blockStart = 0;

  constructor(private readonly options: AuthorityRewriterOptions = defaultAuthorityRewriterOptions) {
    this.decoder = new HpackDecoder({ maxTableSize: headerTableSize, maxHeaderListSize: options.maxHeaderListSize });
  }

  /** Whether a block has been rewritten on this connection (from then on every block is re-encoded). */
  get translatingBlocks(): boolean {
    return this.translating;
  }

  /**
   * Takes the next bytes the client sent and returns what to hand to the HTTP/2 server now: `chunk`
   * itself when nothing in it changes. Keeps references to `chunk`. Throws Http2RewriteError (or
   * HpackError) when the connection must be closed.
   */
  transform(chunk: Buffer): Buffer {
    this.chunk = chunk;
    this.out = [];
    this.spanStart = 0;
    this.blockStart = 0;
    let i = 0;
    while (i < chunk.length) {
      const available = chunk.length - i;
      if (this.prefaceLeft > 0) {
        const n = Math.min(this.prefaceLeft, available);
        this.prefaceLeft -= n;
        i += n;
      } else if (this.passLeft > 0) {
        const n = Math.min(this.passLeft, available);
        this.passLeft -= n;
        i += n;
      } else if (this.holding) {
        const n = Math.min(this.holdLeft, available);
        this.holdParts.push(chunk.subarray(i, i + n));
        this.holdLeft -= n;
        i += n;
        if (this.holdLeft === 0) this.endHeldFrame(i);
      } else {
        // A frame header; it may have begun in an earlier chunk.
        const carried = this.headLength;
        const n = Math.min(frameHeaderSize - carried, available);
        chunk.copy(this.head, carried, i, i + n);
        this.headLength += n;
        i += n;
        if (this.headLength < frameHeaderSize) break;
        this.headLength = 0;
        this.startFrame(i - frameHeaderSize, carried);
        if (this.holding && this.holdLeft === 0) this.endHeldFrame(i);
      }
    }
    const out = this.out;
    let passEnd = chunk.length;
    if (this.block) {
      // The open block waits for its end; the bytes before it pass.
      passEnd = this.blockStart;
      this.block.earlier.push(chunk.subarray(this.blockStart));
    } else if (this.headLength > 0) {
      // So does a frame header cut by the chunk's end (its bytes are in `head`).
      passEnd = Math.max(0, chunk.length - this.headLength);
    }
    if (passEnd > this.spanStart) {
      if (out.length === 0 && this.spanStart === 0 && passEnd === chunk.length) return chunk;
      out.push(chunk.subarray(this.spanStart, passEnd));
    }
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /**
   * Reads the frame header in `head`, which starts at `headerStart` in the chunk (before it when
   * `carried` of its bytes came in earlier chunks).
   */
  private startFrame(headerStart: number, carried: number): void {
    const head = this.head;
    const length = head.readUIntBE(0, 3);
    const type = head[3];
    const flags = head[4];
    const stream = head.readUInt32BE(5) & 0x7fffffff;
    if (this.block && type !== CONTINUATION) throw new Http2RewriteError(`frame of type ${type} inside the header block of stream ${this.block.stream}`);
    if (type === PUSH_PROMISE) throw new Http2RewriteError('PUSH_PROMISE from a client');
    if (type === HEADERS) {
      if (stream === 0) throw new Http2RewriteError('HEADERS on stream 0');
      // Header bytes from an earlier chunk did not pass there; they belong to the block.
      this.block = { stream, flags, earlier: carried > 0 ? [Buffer.from(head.subarray(0, carried))] : [], fragments: [], size: 0 };
      this.blockStart = Math.max(headerStart, 0);
    } else if (type === CONTINUATION) {
      if (!this.block || this.block.stream !== stream) throw new Http2RewriteError(`CONTINUATION on stream ${stream} without its HEADERS`);
    } else {
      // The header's first bytes were held back with the previous chunk: they pass now.
      if (carried > 0) this.out.push(Buffer.from(head.subarray(0, carried)));
      this.passLeft = length;
      return;
    }
    const block = this.block;
    block.size += length;
    if (block.size > this.options.maxHeaderBlockSize) throw new Http2RewriteError(`header block larger than ${this.options.maxHeaderBlockSize} bytes`);
    this.holding = true;
    this.holdLeft = length;
    this.holdParts = [];
    // Only HEADERS carries padding and priority; the flags say which frame ends the block.
    this.holdFlags = type === HEADERS ? flags : flags & END_HEADERS;
  }

  /** A held frame's payload is complete (at `end` in the chunk): keep its fragment, and finish the block on END_HEADERS. */
  private endHeldFrame(end: number): void {
    const block = this.block as OpenBlock;
    const payload = this.holdParts.length === 1 ? this.holdParts[0] : Buffer.concat(this.holdParts);
    this.holding = false;
    this.holdParts = [];
    let start = 0;
    let stop = payload.length;
    if (this.holdFlags & PADDED) {
      if (payload.length < 1) throw new Http2RewriteError('padded HEADERS without a pad length');
      stop -= payload[0];
      start = 1;
    }
    if (this.holdFlags & PRIORITY) {
      block.priority = payload.subarray(start, start + priorityFieldsSize);
      start += priorityFieldsSize;
    }
    if (stop < start) throw new Http2RewriteError('HEADERS padding or priority longer than its payload');
    block.fragments.push(payload.subarray(start, stop));
    if (this.holdFlags & END_HEADERS) this.endBlock(block, end);
  }

  private endBlock(block: OpenBlock, end: number): void {
    this.block = undefined;
    const fields = this.decoder.decode(block.fragments.length === 1 ? block.fragments[0] : Buffer.concat(block.fragments));
    const fixed = withAuthorityFixed(fields);
    if (fixed) this.translating = true;
    if (!this.translating) {
      // The block passes as it came: what came in earlier chunks now, the rest with the chunk's span
      // (which then starts at the block, the chunk's first byte when there were earlier parts).
      this.out.push(...block.earlier);
      return;
    }
    if (this.blockStart > this.spanStart) this.out.push(this.chunk.subarray(this.spanStart, this.blockStart));
    this.out.push(headerFrames(block.stream, block.flags & END_STREAM, block.priority, encodeWithoutIndexing(fixed ?? fields)));
    this.spanStart = end;
  }
}

/** `fields` with every :authority that carries a scheme fixed, or undefined when none does. */
function withAuthorityFixed(fields: readonly HeaderField[]): HeaderField[] | undefined {
  let fixed: HeaderField[] | undefined;
  fields.forEach((field, i) => {
    if (field.name !== ':authority') return;
    const authority = authorityWithoutScheme(field.value);
    if (authority === undefined) return;
    fixed ??= [...fields];
    fixed[i] = { ...field, value: authority };
  });
  return fixed;
}

/** A header block as one HEADERS frame and as many CONTINUATION frames as maxFrameSize asks, unpadded. */
function headerFrames(stream: number, endStream: number, priority: Buffer | undefined, fragment: Buffer): Buffer {
  const prioritySize = priority ? priorityFieldsSize : 0;
  const frames = Math.max(1, Math.ceil((fragment.length + prioritySize) / maxFrameSize));
  const out = Buffer.allocUnsafe(frameHeaderSize * frames + prioritySize + fragment.length);
  let at = 0;
  let taken = 0;
  for (let frame = 0; frame < frames; frame++) {
    const first = frame === 0;
    const extra = first ? prioritySize : 0;
    const size = Math.min(maxFrameSize - extra, fragment.length - taken);
    const last = taken + size === fragment.length;
    out.writeUIntBE(extra + size, at, 3);
    out[at + 3] = first ? HEADERS : CONTINUATION;
    out[at + 4] = (first ? endStream | (priority ? PRIORITY : 0) : 0) | (last ? END_HEADERS : 0);
    out.writeUInt32BE(stream, at + 5);
    at += frameHeaderSize;
    if (first && priority) at += priority.copy(out, at);
    at += fragment.copy(out, at, taken, taken + size);
    taken += size;
  }
  return out;
}
