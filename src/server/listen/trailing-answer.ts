// A unary gRPC answer (headers, one message, trailers) in one write. Through node's public API it
// takes three event-loop turns and two writes: node shuts a stream's writable side only after its
// last chunk has been handed on when trailers are expected, nghttp2 asks for the trailers on the
// next turn, and sendTrailers() submits them on the turn after. On a lone client's put that is the
// last hop before it gets its answer (see bench/RESULTS.md). Two of node's internals change this:
// the stream's "has trailers" flag, cleared so node shuts the writable side right after the message
// as it does for an answer without trailers, and the native handle's trailers(), called straight
// from 'wantTrailers'. Where this node does not have them, answers take the public path.
import type { ServerHttp2Stream } from 'node:http2';

/** node's STREAM_FLAGS_HAS_TRAILERS (lib/internal/http2/core.js) */
const HAS_TRAILERS = 0x20;

interface Internals {
  handle: symbol;
  state: symbol;
  maybeDestroy: symbol;
}

interface NativeStream {
  trailers(list: [string, number]): number;
}

type Trailers = Record<string, string | number>;

let internals: Internals | null | undefined;

function findInternals(stream: ServerHttp2Stream): Internals | null {
  const own = Object.getOwnPropertySymbols(stream);
  const handle = own.find((s) => s.description === 'kHandle');
  const state = own.find((s) => s.description === 'state');
  let maybeDestroy: symbol | undefined;
  for (let p = Object.getPrototypeOf(stream) as object | null; p !== null && maybeDestroy === undefined; p = Object.getPrototypeOf(p) as object | null) {
    maybeDestroy = Object.getOwnPropertySymbols(p).find((s) => s.description === 'kMaybeDestroy');
  }
  if (handle === undefined || state === undefined || maybeDestroy === undefined) return null;
  const fields = stream as unknown as Record<symbol, unknown>;
  const native = fields[handle] as Partial<NativeStream> | undefined;
  const flags = (fields[state] as { flags?: unknown } | undefined)?.flags;
  if (typeof native?.trailers !== 'function' || typeof flags !== 'number') return null;
  return { handle, state, maybeDestroy };
}

/** Header lists already built, by trailers object: callers pass the same constant for every answer. */
const headerLists = new WeakMap<Trailers, [string, number]>();

/** nghttp2's header list as node passes it to its native handle: name NUL value NUL flags, and the count. */
function headerList(trailers: Trailers): [string, number] {
  let list = headerLists.get(trailers);
  if (list === undefined) {
    const names = Object.keys(trailers);
    list = [names.map((name) => `${name}\0${trailers[name]}\0\0`).join(''), names.length];
    headerLists.set(trailers, list);
  }
  return list;
}

/** The public way; a stream that went away meanwhile is destroyed, as a refused write is. */
function sendTrailers(stream: ServerHttp2Stream, trailers: Trailers): void {
  try {
    stream.sendTrailers(trailers);
  } catch {
    stream.destroy();
  }
}

/** Sends `headers`, then `message`, then `trailers`, ending the stream; throws where node's respond() does. */
export function answerWithTrailers(stream: ServerHttp2Stream, headers: Record<string, string | number>, message: Buffer, trailers: Trailers): void {
  stream.respond(headers, { waitForTrailers: true });
  if (internals === undefined) internals = findInternals(stream);
  const fast = internals;
  if (fast === null) {
    stream.once('wantTrailers', () => sendTrailers(stream, trailers));
    stream.end(message);
    return;
  }
  const fields = stream as unknown as Record<symbol, unknown>;
  (fields[fast.state] as { flags: number }).flags &= ~HAS_TRAILERS;
  stream.once('wantTrailers', () => {
    let status: number;
    try {
      status = (fields[fast.handle] as NativeStream).trailers(headerList(trailers));
    } catch {
      // this node's handle takes its list some other way: the public path still works
      internals = null;
      sendTrailers(stream, trailers);
      return;
    }
    if (status < 0) stream.destroy();
    else (fields[fast.maybeDestroy] as () => void).call(stream);
  });
  stream.end(message);
}
