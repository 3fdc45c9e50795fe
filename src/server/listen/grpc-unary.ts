// Unary gRPC calls answered straight from node's HTTP/2 stream. grpc-js runs every call through an
// interceptor chain, a message queue, a decoder object, Metadata copies of the request headers and
// a call wrapper; for a unary call that is most of what a serializable read costs a member (see
// bench/RESULTS.md). The bytes on the wire are those grpc-js writes (the same response headers,
// trailers, status codes and messages); streaming calls and compressed requests still go to grpc-js.
import { Metadata, status as Status, type Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { TLSSocket } from 'node:tls';
import { answerWithTrailers } from './trailing-answer';

/** A unary method's codec and handler, as grpc-js's service definition and implementation give them. */
interface UnaryMethod {
  readonly path: string;
  readonly deserialize: (bytes: Buffer) => unknown;
  readonly serialize: (value: unknown) => Buffer;
  readonly handler: (call: UnaryCall, callback: (err: unknown, value?: unknown) => void) => void;
}

/** What a handler reads of a call: the part of grpc-js's ServerUnaryCall that cairn's handlers use. */
interface UnaryCall {
  readonly request: unknown;
  readonly metadata: Metadata;
  readonly cancelled: boolean;
  getPeer(): string;
  getPath(): string;
  getDeadline(): number;
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: unknown };
}

interface WireStatus {
  code: number;
  details: string;
  metadata?: Metadata | null;
}

const responseHeaders = {
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-encoding': 'identity',
};

const okTrailers = { 'grpc-status': Status.OK, 'grpc-message': 'OK' };

/** Request headers grpc-js keeps out of the call's metadata. */
const transportHeaders = ['grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'accept-encoding', 'te', 'content-type'];

const timeoutPattern = /(\d{1,8})\s*([HMSmun])/;
const timeoutUnitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** grpc-js's per-stream entry point, a private method it binds when it creates an HTTP/2 server. */
type StreamHandler = (this: Server, interceptors: unknown, stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

/**
 * Routes the server's unary calls here and the rest on to grpc-js. Call it before grpc-js creates its
 * HTTP/2 server (a connection injector or bindAsync): that is when grpc-js binds its handler.
 */
export function answerUnaryDirectly(server: Server, services: Array<[ServiceDefinition, UntypedServiceImplementation]>, maxReceiveBytes: number): void {
  const internals = server as unknown as { _streamHandler?: StreamHandler; onStreamOpened?: (stream: ServerHttp2Stream) => void };
  const grpcJsHandler = internals._streamHandler;
  const onStreamOpened = internals.onStreamOpened;
  // a grpc-js without these fails every test at once rather than some calls in production
  if (typeof grpcJsHandler !== 'function' || typeof onStreamOpened !== 'function') {
    throw new Error('grpc-unary: this grpc-js has no _streamHandler/onStreamOpened to route unary calls through');
  }
  const methods = unaryMethods(services);
  internals._streamHandler = function (this: Server, interceptors, stream, headers) {
    const method = methods.get(headers[':path'] ?? '');
    if (!answersDirectly(method, headers)) return grpcJsHandler.call(this, interceptors, stream, headers);
    onStreamOpened.call(this, stream); // grpc-js's idle-connection accounting
    answerUnary(stream, headers, method, maxReceiveBytes);
  };
}

/** The unary methods of the services, by their HTTP/2 path. */
function unaryMethods(services: Array<[ServiceDefinition, UntypedServiceImplementation]>): Map<string, UnaryMethod> {
  const methods = new Map<string, UnaryMethod>();
  for (const [definition, implementation] of services) {
    for (const [name, method] of Object.entries(definition)) {
      const handler = implementation[name];
      if (method.requestStream || method.responseStream || typeof handler !== 'function') continue;
      methods.set(method.path, {
        path: method.path,
        deserialize: method.requestDeserialize as UnaryMethod['deserialize'],
        serialize: method.responseSerialize as UnaryMethod['serialize'],
        handler: handler as unknown as UnaryMethod['handler'],
      });
    }
  }
  return methods;
}

/** Whether this module can answer the request: a unary method, gRPC content, no request compression. */
function answersDirectly(method: UnaryMethod | undefined, headers: IncomingHttpHeaders): method is UnaryMethod {
  if (method === undefined) return false;
  const contentType = headers['content-type'];
  if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) return false;
  const encoding = headers['grpc-encoding'];
  return encoding === undefined || encoding === 'identity';
}

/** Reads the one request message, runs the handler and writes its answer or status. */
function answerUnary(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, method: UnaryMethod, maxReceiveBytes: number): void {
  let finished = false;
  let deadline = Infinity;
  let timer: NodeJS.Timeout | undefined;
  let received: Buffer[] = [];
  let receivedBytes = 0;
  let declaredBytes = -1;

  const closed = () => finished || stream.destroyed || stream.closed;
  const finish = () => {
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    received = [];
  };
  // Handlers answer from promise callbacks: a write node refuses (the session went away since the
  // check, a message encodeURI cannot take) must end this stream, not surface as an unhandled rejection.
  const onWire = (write: () => void) => {
    try {
      write();
    } catch {
      stream.destroy();
    }
  };
  const sendStatus = (status: WireStatus) => {
    if (closed()) return finish();
    finish();
    // a status before any message is a trailers-only response, as grpc-js sends it
    onWire(() =>
      stream.respond(
        {
          'grpc-status': status.code,
          'grpc-message': encodeURI(status.details),
          ':status': 200,
          'content-type': 'application/grpc+proto',
          ...status.metadata?.toHttp2Headers(),
        },
        { endStream: true },
      ),
    );
  };
  const sendMessage = (value: unknown) => {
    if (closed()) return finish();
    let frame: Buffer;
    try {
      const message = method.serialize(value);
      frame = Buffer.allocUnsafe(message.length + 5);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
    } catch {
      return sendStatus({ code: Status.INTERNAL, details: 'Error serializing response' });
    }
    finish();
    onWire(() => answerWithTrailers(stream, responseHeaders, frame, okTrailers));
  };

  // grpc-js adds the same: an error without a listener would throw, and 'close' follows it anyway
  stream.once('error', () => {});
  stream.once('close', finish);

  const timeout = headers['grpc-timeout'];
  if (typeof timeout === 'string') {
    const match = timeoutPattern.exec(timeout);
    if (match === null) return process.nextTick(() => sendStatus({ code: Status.INTERNAL, details: `Invalid grpc-timeout value "${timeout}"` }));
    const ms = (Number(match[1]) * timeoutUnitMs[match[2]]) | 0;
    deadline = Date.now() + ms;
    timer = setTimeout(() => sendStatus({ code: Status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }), ms);
  }

  stream.on('data', (chunk: Buffer) => {
    if (finished) return;
    received.push(chunk);
    receivedBytes += chunk.length;
    if (declaredBytes < 0) {
      if (receivedBytes < 5) return;
      declaredBytes = (received.length === 1 ? chunk : Buffer.concat(received)).readUInt32BE(1);
      if (declaredBytes > maxReceiveBytes) {
        // in grpc-go's words, as etcd answers an oversize put (grpc-js says "Received message larger than max (N vs M)")
        return sendStatus({ code: Status.RESOURCE_EXHAUSTED, details: `grpc: received message larger than max (${declaredBytes} vs. ${maxReceiveBytes})` });
      }
    }
    if (receivedBytes > declaredBytes + 5) {
      sendStatus({ code: Status.UNIMPLEMENTED, details: `Received a second request message for server streaming method ${method.path}` });
    }
  });
  stream.on('end', () => {
    if (finished) return;
    if (declaredBytes < 0 || receivedBytes < declaredBytes + 5) {
      return sendStatus({ code: Status.UNIMPLEMENTED, details: `Received no request message for server streaming method ${method.path}` });
    }
    const body = received.length === 1 ? received[0] : Buffer.concat(received);
    let request: unknown;
    try {
      request = method.deserialize(body.subarray(5));
    } catch {
      return sendStatus({ code: Status.INTERNAL, details: 'Error deserializing request' });
    }
    received = [];
    const call = new DirectUnaryCall(stream, headers, method.path, request, deadline);
    try {
      method.handler(call, (err, value) => {
        if (err) sendStatus(statusOf(err));
        else sendMessage(value);
      });
    } catch {
      sendStatus({ code: Status.UNKNOWN, details: 'Unknown error' });
    }
  });
}

/** A class, not an object literal: a literal with a getter costs V8 a slow object per call. */
class DirectUnaryCall implements UnaryCall {
  private builtMetadata: Metadata | undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly path: string,
    readonly request: unknown,
    private readonly deadline: number,
  ) {}

  /** Built only for a handler that reads it (auth reads the token): most calls never do. */
  get metadata(): Metadata {
    if (this.builtMetadata === undefined) {
      this.builtMetadata = Metadata.fromHttp2Headers(this.headers);
      for (const name of transportHeaders) this.builtMetadata.remove(name);
    }
    return this.builtMetadata;
  }

  get cancelled(): boolean {
    return this.stream.destroyed || this.stream.closed;
  }

  getPeer(): string {
    const socket = this.stream.session?.socket;
    if (!socket?.remoteAddress) return 'unknown';
    return socket.remotePort ? `${socket.remoteAddress}:${socket.remotePort}` : socket.remoteAddress;
  }

  getPath(): string {
    return this.path;
  }

  getDeadline(): number {
    return this.deadline;
  }

  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: unknown } {
    const socket = this.stream.session?.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return {};
    const certificate = socket.getPeerCertificate();
    return { transportSecurityType: 'ssl', sslPeerCertificate: certificate.raw ? certificate : undefined };
  }
}

/** The status a handler's error stands for, read as grpc-js reads it. */
function statusOf(err: unknown): WireStatus {
  const e = err as { code?: unknown; details?: unknown; message?: unknown; metadata?: unknown };
  const metadata = e.metadata instanceof Metadata ? e.metadata : null;
  if (typeof e.code === 'number' && Number.isInteger(e.code)) {
    const details = typeof e.details === 'string' ? e.details : typeof e.message === 'string' ? e.message : 'Unknown Error';
    return { code: e.code, details, metadata };
  }
  return { code: Status.UNKNOWN, details: typeof e.message === 'string' ? e.message : 'Unknown Error', metadata };
}
