// Which plain HTTP/2 connections need the :authority rewriter. Only a client that writes a URL as
// its :authority needs it (etcdctl's per-endpoint calls on http:// endpoints), and the rewriter's
// JavaScript stream costs every request on its connection 10-19 % more CPU (bench/RESULTS.md), so
// the listener looks at the connection's first request first. Clients send no request before the
// server's SETTINGS (etcdctl 3.4 and grpc-js both wait), so the listener answers the preface with
// an empty SETTINGS frame of its own and drops the client's ACK of it; node's HTTP/2 then sends its
// own SETTINGS, which the client applies over the empty ones. A client that sends no request soon,
// or bytes this reader does not follow, gets the rewriter, which is right for every connection.
import type { Socket } from 'node:net';
import { HpackDecoder } from '../../hpack';
import { http2Preface } from '../../preface';
import { authorityWithoutScheme, defaultAuthorityRewriterOptions } from './authority-rewriter';
import { ACK, CONTINUATION, END_HEADERS, HEADERS, PADDED, PRIORITY, SETTINGS, frameHeaderSize, headerTableSize, maxFrameSize, priorityFieldsSize } from './h2-frame';

/** An empty SETTINGS frame: the peer keeps HTTP/2's initial values until node's SETTINGS arrive. */
const emptySettings = Buffer.from([0, 0, 0, SETTINGS, 0, 0, 0, 0, 0]);

/** More than any client's opening frames and first header block; past it the reader gives up. */
const maxHeldBytes = 256 * 1024;

export interface FirstRequestOptions {
  /** How long after the client's ACK to wait for its first request. */
  readonly requestWaitMs: number;
  /** How long to wait for the client's ACK of the listener's SETTINGS before closing. */
  readonly ackWaitMs: number;
}

export const defaultFirstRequestOptions: FirstRequestOptions = { requestWaitMs: 200, ackWaitMs: 10_000 };

/** What the held bytes show so far. */
export interface OpeningScan {
  /** Offset of the client's first SETTINGS ACK, when seen. */
  readonly ackAt?: number;
  /** The first request's :authority ('' when it has none), once its header block is complete. */
  readonly authority?: string;
  /** True when the bytes are not what this reader follows (the rewriter then decides). */
  readonly unreadable: boolean;
}

/** Reads the frames after the preface: the first SETTINGS ACK and the first complete header block. */
export function scanOpening(bytes: Buffer): OpeningScan {
  let ackAt: number | undefined;
  let authority: string | undefined;
  let fragments: Buffer[] | undefined;
  for (let at = http2Preface.length; at + frameHeaderSize <= bytes.length; ) {
    const length = bytes.readUIntBE(at, 3);
    const type = bytes[at + 3];
    const flags = bytes[at + 4];
    // larger than the SETTINGS_MAX_FRAME_SIZE a client may assume (RFC 9113 4.2): not HTTP/2
    if (length > maxFrameSize) return { ackAt, unreadable: true };
    const end = at + frameHeaderSize + length;
    if (end > bytes.length) break;
    let payload = bytes.subarray(at + frameHeaderSize, end);
    const inBlock = fragments !== undefined && authority === undefined;
    if (inBlock) {
      // RFC 9113: nothing but CONTINUATION frames may come until the block ends
      if (type !== CONTINUATION) return { ackAt, unreadable: true };
      fragments!.push(payload);
      if ((flags & END_HEADERS) !== 0) authority = authorityIn(fragments!) ?? '\0';
    } else if (type === SETTINGS && (flags & ACK) !== 0 && ackAt === undefined) {
      ackAt = at;
    } else if (type === HEADERS && fragments === undefined) {
      if ((flags & PADDED) !== 0) {
        if (payload.length < 1 || payload[0] >= payload.length) return { ackAt, unreadable: true };
        payload = payload.subarray(1, payload.length - payload[0]);
      }
      if ((flags & PRIORITY) !== 0) payload = payload.subarray(priorityFieldsSize);
      fragments = [payload];
      if ((flags & END_HEADERS) !== 0) authority = authorityIn(fragments) ?? '\0';
    }
    if (ackAt !== undefined && authority !== undefined) break;
    at = end;
  }
  // an undecodable block reads as '\0': unreadable, the rewriter decides what to do with it
  if (authority === '\0') return { ackAt, unreadable: true };
  return authority === undefined ? { ackAt, unreadable: false } : { ackAt, authority, unreadable: false };
}

function authorityIn(fragments: Buffer[]): string | undefined {
  try {
    const fields = new HpackDecoder({ maxTableSize: headerTableSize, maxHeaderListSize: defaultAuthorityRewriterOptions.maxHeaderListSize }).decode(Buffer.concat(fragments));
    return fields.find((f) => f.name === ':authority')?.value ?? '';
  } catch {
    return undefined;
  }
}

/**
 * Holds a plain HTTP/2 connection (paused, its preface unread) until its first request shows
 * whether it needs the rewriter, then hands it on paused with its bytes (less the dropped ACK) put
 * back. `route` is called at most once; a client that never ACKs is closed, one that sends bytes
 * that are not HTTP/2 goes to the rewriter (which closes it and says why).
 */
export function routeByFirstRequest(socket: Socket, route: (needsRewriter: boolean) => void, options: FirstRequestOptions = defaultFirstRequestOptions): void {
  let held: Buffer = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  let waitingForRequest = false;
  let done = false;
  const finish = (needsRewriter: boolean, ackAt: number | undefined) => {
    done = true;
    if (timer !== undefined) clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.pause();
    socket.unshift(ackAt === undefined ? held : Buffer.concat([held.subarray(0, ackAt), held.subarray(ackAt + frameHeaderSize)]));
    route(needsRewriter);
  };
  const onClose = () => {
    done = true;
    if (timer !== undefined) clearTimeout(timer);
  };
  const onData = (chunk: Buffer) => {
    held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
    const scan = scanOpening(held);
    // bytes this reader does not follow go to the rewriter, which closes a broken connection and logs why
    if (scan.unreadable || held.length > maxHeldBytes) return finish(true, scan.ackAt);
    if (scan.ackAt === undefined) return;
    if (scan.authority !== undefined) return finish(authorityWithoutScheme(scan.authority) !== undefined, scan.ackAt);
    if (!waitingForRequest) {
      // the ACK is in: wait a little for the request, then let the rewriter have the connection
      waitingForRequest = true;
      clearTimeout(timer);
      const ackAt = scan.ackAt;
      timer = setTimeout(() => !done && finish(true, ackAt), options.requestWaitMs).unref();
    }
  };
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.resume(); // the preface sniffer left it paused, its first bytes put back
  timer = setTimeout(() => !done && socket.destroy(), options.ackWaitMs).unref();
  socket.write(emptySettings);
}
