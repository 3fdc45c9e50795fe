// Watches as clientv3 keeps them, for cairnctl's watch, lock and elect: the watches of one stream
// outlive the member serving it. When the stream fails with UNAVAILABLE or INTERNAL (the member went
// away, or is shutting down), each watch is created again on a new stream (on another endpoint when the
// member does not answer) from the revision after the last one it has seen, so no event is lost or
// repeated. Any other error ends the watches; so does `etcdserver: no leader`, with which a member
// without a leader ends a stream that asked for one (hasleader).
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import { etcdserverpb, type EtcdError } from '../api';
import { decodeError, type EtcdClient } from '../client';

type WatchStream = ClientDuplexStream<etcdserverpb.WatchRequest, etcdserverpb.WatchResponse>;

/** Between attempts to open a new stream while no endpoint answers. */
const REOPEN_PAUSE_MS = 500;

/** Why the server cancelled a watch, in etcd's words. */
export function watchCancelReason(resp: etcdserverpb.WatchResponse): string {
  return resp.compactRevision > 0n ? 'etcdserver: mvcc: required revision has been compacted' : resp.cancelReason || 'etcdserver: watch canceled';
}

/** Whether a stream that failed with this error is given up rather than opened again. */
function halts(err: EtcdError): boolean {
  if (err.message === 'etcdserver: no leader') return true;
  return err.code !== Status.UNAVAILABLE && err.code !== Status.INTERNAL;
}

interface Watched {
  readonly create: etcdserverpb.WatchCreateRequest;
  /** The server's id for it on the current stream, once created there. */
  id?: bigint;
  /** Where it resumes: the revision after the last event or progress it has seen. */
  nextRevision?: bigint;
}

export interface ResumingWatchOptions {
  /** clientv3's WithRequireLeader: a member without a leader refuses or ends the stream. */
  readonly requireLeader?: boolean;
}

export class ResumingWatch {
  private readonly watches: Watched[] = [];
  /** Watches whose create request was sent on the current stream and is not answered yet, in order. */
  private awaitingId: Watched[] = [];
  private stream: WatchStream | undefined;
  private closed = false;
  private settle!: (err?: EtcdError) => void;
  /** Resolves when the server ends the stream or close() is called; rejects with an error that ends it. */
  readonly done: Promise<void>;

  constructor(private readonly client: EtcdClient, private readonly onResponse: (resp: etcdserverpb.WatchResponse) => void, private readonly options: ResumingWatchOptions = {}) {
    this.done = new Promise((resolve, reject) => { this.settle = (err) => (err ? reject(err) : resolve()); });
    this.done.catch(() => undefined);
  }

  /** Opens the first stream; fails when no endpoint can be reached. */
  async open(): Promise<void> {
    this.attach(await this.client.bidi(etcdserverpb.WatchService.watch, this.options));
  }

  create(request: Partial<etcdserverpb.WatchCreateRequest>): void {
    const watched: Watched = { create: etcdserverpb.WatchCreateRequest.fromPartial(request) };
    this.watches.push(watched);
    this.send(watched);
  }

  requestProgress(): void {
    this.stream?.write(etcdserverpb.WatchRequest.fromPartial({ progressRequest: {} }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.cancel();
    this.settle();
  }

  private send(watched: Watched): void {
    if (this.stream === undefined) return;
    const startRevision = watched.nextRevision ?? watched.create.startRevision;
    this.awaitingId.push(watched);
    this.stream.write(etcdserverpb.WatchRequest.fromPartial({ createRequest: { ...watched.create, startRevision } }));
  }

  private attach(stream: WatchStream): void {
    this.stream = stream;
    this.awaitingId = [];
    for (const watched of this.watches) this.send(watched);
    stream.on('data', (resp: etcdserverpb.WatchResponse) => {
      if (stream === this.stream) this.receive(resp);
    });
    stream.on('error', (err) => {
      if (stream === this.stream && !this.closed) void this.failed(decodeError(err));
    });
    stream.on('end', () => {
      if (stream === this.stream && !this.closed) this.finish();
    });
  }

  private receive(resp: etcdserverpb.WatchResponse): void {
    let watched = this.watches.find((w) => w.id === resp.watchId);
    if (resp.created) {
      watched = this.awaitingId.shift();
      if (watched !== undefined) watched.id = resp.watchId;
      // a watch from "now" resumes after the revision it was created at, not at some later "now"
      if (watched !== undefined && watched.nextRevision === undefined && watched.create.startRevision === 0n) {
        watched.nextRevision = (resp.header?.revision ?? 0n) + 1n;
      }
    }
    if (watched !== undefined && resp.canceled) this.watches.splice(this.watches.indexOf(watched), 1);
    else if (watched !== undefined && resp.events.length > 0) watched.nextRevision = (resp.events[resp.events.length - 1].kv?.modRevision ?? 0n) + 1n;
    else if (watched !== undefined && !resp.created && resp.header !== undefined) watched.nextRevision = resp.header.revision + 1n;
    this.onResponse(resp);
  }

  /** A failed stream: opened again until it works, unless the error ends the watches. */
  private async failed(err: EtcdError): Promise<void> {
    this.stream = undefined;
    let last = err;
    while (!this.closed && !halts(last)) {
      try {
        const stream = await this.client.bidi(etcdserverpb.WatchService.watch, this.options);
        if (this.closed) {
          stream.on('error', () => undefined);
          stream.cancel();
          return;
        }
        this.attach(stream);
        return;
      } catch (again) {
        last = decodeError(again);
        await new Promise((resolve) => setTimeout(resolve, REOPEN_PAUSE_MS));
      }
    }
    this.finish(this.closed ? undefined : last);
  }

  private finish(err?: EtcdError): void {
    this.closed = true;
    this.stream?.on('error', () => undefined);
    this.stream?.cancel();
    this.settle(err);
  }
}

/**
 * One watch's responses with events (or progress), in order. Throws the server's reason when it
 * cancels the watch, and simply ends when `stop` aborts or the server ends the stream.
 */
export async function* watchResponses(client: EtcdClient, request: Partial<etcdserverpb.WatchCreateRequest>, stop: AbortSignal): AsyncGenerator<etcdserverpb.WatchResponse> {
  if (stop.aborted) return;
  const queue: etcdserverpb.WatchResponse[] = [];
  let wake: () => void = () => undefined;
  const watch = new ResumingWatch(client, (resp) => {
    queue.push(resp);
    wake();
  });
  let ended = false;
  let failure: unknown;
  watch.done.then(() => { ended = true; }, (err: unknown) => { ended = true; failure = err; }).finally(() => wake());
  const close = () => watch.close();
  stop.addEventListener('abort', close, { once: true });
  try {
    await watch.open();
    watch.create(request);
    for (;;) {
      const resp = queue.shift();
      if (resp === undefined) {
        if (ended) break;
        await new Promise<void>((resolve) => { wake = resolve; });
        continue;
      }
      if (resp.canceled) throw new Error(watchCancelReason(resp));
      if (resp.created && resp.events.length === 0) continue;
      yield resp;
    }
    if (failure !== undefined && !stop.aborted) throw failure;
  } finally {
    stop.removeEventListener('abort', close);
    watch.close();
  }
}
