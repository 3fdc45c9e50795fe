// One gRPC Watch stream: its requests create and cancel watchers on one mvcc watch stream, and one
// send loop forwards what the store yields, in order. The loop pulls the next response only after
// grpc-js has taken the previous one (write() returning false means wait for 'drain'), so a slow
// client leaves its events in the store's bounded queue, where the store treats it as a victim,
// instead of growing this process's memory.
//
// Per watcher the session remembers: progress notify wanted (and whether events since the last
// tick make the next notify unnecessary) and fragmenting wanted.
import { status as Status, type ServerDuplexStream } from '@grpc/grpc-js';
import { EtcdError, etcdserverpb } from '../../api';
import type * as mvcc from '../../mvcc';
import { eventToWire } from '../convert';
import type { MethodCounts } from '../grpc-metrics';
import { fragmentResponse } from './watch-fragment';

type Call = ServerDuplexStream<etcdserverpb.WatchRequest, etcdserverpb.WatchResponse>;

/** An auth refusal as etcd words its cancel reason: Go's gRPC status text ("rpc error: code = PermissionDenied desc = ..."). */
function grpcStatusText(err: unknown): string {
  if (!(err instanceof EtcdError)) return err instanceof Error ? err.message : String(err);
  const name = Status[err.code].split('_').map((w) => w[0] + w.slice(1).toLowerCase()).join('');
  return `rpc error: code = ${name} desc = ${err.message}`;
}

/** etcd's watch ID for responses that are about no single watcher. */
const invalidWatchId = -1n;

export interface WatchSessionCore {
  header(revision?: number): etcdserverpb.ResponseHeader;
  maxRequestBytes: number;
  /** Refuses a watcher the caller may not read (auth); its error text becomes the cancel reason. */
  authorizeWatch?(call: Call, creq: etcdserverpb.WatchCreateRequest): void;
}

export class WatchSession {
  /** watch ID -> whether the next progress tick should notify it (false right after it got events) */
  private readonly progress = new Map<number, boolean>();
  private readonly fragment = new Set<number>();
  /** a progress request waits for every watcher to be synced */
  private deferredProgress = false;
  private closed = false;
  /** counts.start()'s answer: the session counts as the Watch call's start */
  private readonly startedAt: number;

  constructor(
    private readonly call: Call,
    private readonly stream: mvcc.WatchStream,
    private readonly core: WatchSessionCore,
    private readonly counts: MethodCounts,
  ) {
    this.startedAt = counts.start();
  }

  /** Starts serving; resolves when the stream ends. */
  run(): Promise<void> {
    this.call.on('data', (req: etcdserverpb.WatchRequest) => {
      this.counts.received++;
      this.onRequest(req);
    });
    this.call.on('end', () => this.close());
    // ended by the server with an error (a member without a leader ends `hasleader` streams): counted with its code
    this.call.on('error', (err: Error) => this.close(err instanceof EtcdError ? err.code : Status.CANCELLED));
    this.call.on('close', () => this.close());
    // The client went away (deadline, reset): stop the store-side stream too.
    this.call.on('cancelled', () => this.close());
    return this.sendLoop();
  }

  /** The progress tick: every watcher that asked for progress notify and got no events since the last tick hears the revision. */
  tickProgress(): void {
    for (const [id, due] of this.progress) {
      if (due) this.stream.requestProgress(id);
      this.progress.set(id, true);
    }
  }

  close(code: Status = Status.CANCELLED): void {
    if (this.closed) return;
    this.closed = true;
    // Ended by the client, etcd's Watch handler returns "watch canceled" (Canceled): its context ended.
    this.counts.handle(code, this.startedAt);
    this.stream.close();
    if (!this.call.writableEnded) this.call.end();
  }

  private onRequest(req: etcdserverpb.WatchRequest): void {
    if (this.closed) return;
    if (req.createRequest !== undefined) this.create(req.createRequest);
    else if (req.cancelRequest !== undefined) this.cancel(req.cancelRequest.watchId);
    else if (req.progressRequest !== undefined) this.requestProgress();
  }

  private create(creq: etcdserverpb.WatchCreateRequest): void {
    const header = this.core.header();
    const filters: mvcc.WatchFilters = {
      noPut: creq.filters.includes(etcdserverpb.WatchCreateRequest_FilterType.NOPUT),
      noDelete: creq.filters.includes(etcdserverpb.WatchCreateRequest_FilterType.NODELETE),
    };
    let id: number;
    try {
      this.core.authorizeWatch?.(this.call, creq);
    } catch (err) {
      this.write({ ...emptyResponse(header), watchId: invalidWatchId, created: true, canceled: true, cancelReason: grpcStatusText(err) });
      return;
    }
    try {
      id = this.stream.watch({
        key: creq.key.length === 0 ? Buffer.from([0]) : creq.key,
        rangeEnd: creq.rangeEnd.length === 0 ? undefined : creq.rangeEnd,
        startRevision: Number(creq.startRevision),
        prevKv: creq.prevKv,
        filters,
        watchId: creq.watchId === 0n ? undefined : Number(creq.watchId),
      });
    } catch (err) {
      this.write({
        ...emptyResponse(header),
        watchId: invalidWatchId,
        created: true,
        canceled: true,
        cancelReason: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    if (creq.progressNotify) this.progress.set(id, true);
    if (creq.fragment) this.fragment.add(id);
    this.write({ ...emptyResponse(header), watchId: BigInt(id), created: true });
  }

  private cancel(watchId: bigint): void {
    const id = Number(watchId);
    if (!this.stream.cancel(id)) return;
    this.forget(id);
    this.write({ ...emptyResponse(this.core.header()), watchId, canceled: true });
  }

  private requestProgress(): void {
    if (this.deferredProgress) return;
    if (!this.stream.requestProgressAll()) this.deferredProgress = true;
  }

  private forget(id: number): void {
    this.progress.delete(id);
    this.fragment.delete(id);
  }

  private async sendLoop(): Promise<void> {
    for (;;) {
      const next = await this.stream.next();
      if (next === undefined || this.closed) break;
      const compacted = next.compactRevision > 0;
      const response: etcdserverpb.WatchResponse = {
        ...emptyResponse(this.core.header(next.revision)),
        watchId: BigInt(next.watchId),
        events: next.events.map(eventToWire),
        compactRevision: BigInt(next.compactRevision),
        canceled: compacted,
      };
      if (compacted) this.forget(next.watchId);
      const parts = this.fragment.has(next.watchId) ? fragmentResponse(response, this.core.maxRequestBytes) : [response];
      for (const part of parts) {
        if (!this.write(part)) await this.drained();
        if (this.closed) return;
      }
      if (next.events.length > 0 && this.progress.get(next.watchId) === true) this.progress.set(next.watchId, false);
      if (this.deferredProgress && this.stream.requestProgressAll()) this.deferredProgress = false;
    }
    this.close();
  }

  /** Writes one response; false when grpc-js wants the writer to wait for 'drain'. */
  private write(response: etcdserverpb.WatchResponse): boolean {
    if (this.closed || this.call.writableEnded) return true;
    this.counts.sent++;
    return this.call.write(response);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        this.call.off('close', done);
        this.call.off('error', done);
        resolve();
      };
      this.call.on('drain', done);
      this.call.on('close', done);
      this.call.on('error', done);
    });
  }
}

function emptyResponse(header: etcdserverpb.ResponseHeader): etcdserverpb.WatchResponse {
  return { header, watchId: 0n, created: false, canceled: false, compactRevision: 0n, cancelReason: '', fragment: false, events: [] };
}
