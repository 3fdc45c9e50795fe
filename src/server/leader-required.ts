// etcd's v3rpc metadata interceptors. A call whose metadata says `hasleader: true` (clientv3's
// WithRequireLeader, which kube-apiserver puts on its watches) is refused with `etcdserver: no
// leader` while this member has no leader; such a stream already open is ended with that error
// once the member has gone three election timeouts without a leader, so its client moves to a
// member that has one. Every call is also counted by the client's `client-api-version`
// (etcd_server_client_requests_total).
import type { Metadata, ServerDuplexStream } from '@grpc/grpc-js';
import { etcdError } from '../api';
import { guardMethods, type GrpcService } from './service-guard';

/** etcd's maxNoLeaderCnt: election timeouts without a leader before streams that need one end. */
const noLeaderTimeoutsBeforeEnd = 3;

type Call = { request?: unknown; metadata?: Metadata };

/** The streams opened with `hasleader: true`, ended when the member stays without a leader. */
export class LeaderRequiredStreams {
  private readonly open = new Set<ServerDuplexStream<unknown, unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private timeoutsWithoutLeader = 0;

  constructor(private readonly hasLeader: () => boolean, private readonly electionMs: number) {}

  /** Checks every election timeout from now on. */
  start(): void {
    this.timer = setInterval(() => this.check(), this.electionMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  track(call: ServerDuplexStream<unknown, unknown>): void {
    this.open.add(call);
    call.once('close', () => this.open.delete(call));
  }

  private check(): void {
    this.timeoutsWithoutLeader = this.hasLeader() ? 0 : this.timeoutsWithoutLeader + 1;
    if (this.timeoutsWithoutLeader < noLeaderTimeoutsBeforeEnd) return;
    const ended = [...this.open];
    this.open.clear();
    // grpc-js ends a server stream with an error's status on 'error' (destroy() would drop the status)
    for (const call of ended) call.emit('error', etcdError('noLeader'));
  }
}

function firstValue(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return value === undefined ? undefined : String(value);
}

export function guardLeaderRequired(
  services: GrpcService[],
  options: { hasLeader: () => boolean; streams: LeaderRequiredStreams; clientRequests: Record<'unary' | 'stream', Map<string, number>> },
): GrpcService[] {
  return guardMethods(services, (method) => {
    const type = method.requestStream || method.responseStream ? 'stream' : 'unary';
    const counts = options.clientRequests[type];
    return (call: Call) => {
      const version = firstValue(call.metadata, 'client-api-version') ?? 'unknown';
      counts.set(version, (counts.get(version) ?? 0) + 1);
      if (firstValue(call.metadata, 'hasleader') !== 'true') return;
      if (!options.hasLeader()) throw etcdError('noLeader');
      if (type === 'stream') options.streams.track(call as unknown as ServerDuplexStream<unknown, unknown>);
    };
  });
}
