// A test-side Watch stream: send requests, and take responses one at a time with a bounded wait.
import type * as grpc from '@grpc/grpc-js';
import { etcdserverpb } from '../../src/api';

export class TestWatch {
  readonly stream: grpc.ClientDuplexStream<etcdserverpb.WatchRequest, etcdserverpb.WatchResponse>;
  private readonly queue: etcdserverpb.WatchResponse[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(client: etcdserverpb.WatchClient) {
    this.stream = client.watch();
    this.stream.on('data', (r: etcdserverpb.WatchResponse) => {
      this.queue.push(r);
      this.wake?.();
    });
    this.stream.on('error', () => {
      this.ended = true;
      this.wake?.();
    });
    this.stream.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  create(req: Partial<etcdserverpb.WatchCreateRequest>): void {
    this.stream.write({ createRequest: etcdserverpb.WatchCreateRequest.fromPartial(req) });
  }

  cancel(watchId: bigint): void {
    this.stream.write({ cancelRequest: { watchId } });
  }

  requestProgress(): void {
    this.stream.write({ progressRequest: {} });
  }

  /** The next response; fails after `timeoutMs` (a bound on a broken test, not a timing assertion). */
  async next(timeoutMs = 10_000): Promise<etcdserverpb.WatchResponse> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.ended) throw new Error('watch stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no watch response in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.queue.shift() as etcdserverpb.WatchResponse;
  }

  /** Responses with events for `watchId` until `count` events arrived. */
  async events(count: number, timeoutMs = 10_000): Promise<etcdserverpb.WatchResponse[]> {
    const got: etcdserverpb.WatchResponse[] = [];
    let n = 0;
    while (n < count) {
      const r = await this.next(timeoutMs);
      got.push(r);
      n += r.events.length;
    }
    return got;
  }

  close(): void {
    this.stream.end();
    this.stream.cancel();
  }
}
