// Watch service: one WatchSession per gRPC stream, and the progress-notify tick that all sessions share.
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { etcdserverpb } from '../../api';
import type * as mvcc from '../../mvcc';
import type { ServerMetrics } from '../metrics';
import { WatchSession, WatchSessionCore } from './watch-session';

export interface WatchCore extends WatchSessionCore {
  readonly metrics: ServerMetrics;
  newWatchStream(): mvcc.WatchStream;
  /** how often watchers created with progress_notify hear of the revision */
  progressNotifyIntervalMs: number;
}

export interface WatchServiceHandle {
  implementation: UntypedServiceImplementation;
  /** Ends every open stream (server shutdown). */
  closeAll(): void;
}

export function watchService(core: WatchCore): WatchServiceHandle {
  const sessions = new Set<WatchSession>();
  const counts = core.metrics.grpc.method('etcdserverpb.Watch', 'Watch', 'bidi_stream');
  let ticker: NodeJS.Timeout | undefined;
  const startTicker = () => {
    if (ticker !== undefined) return;
    ticker = setInterval(() => sessions.forEach((s) => s.tickProgress()), core.progressNotifyIntervalMs);
    ticker.unref();
  };
  const impl: etcdserverpb.WatchServer = {
    watch(call: ServerDuplexStream<etcdserverpb.WatchRequest, etcdserverpb.WatchResponse>) {
      const session = new WatchSession(call, core.newWatchStream(), core, counts);
      sessions.add(session);
      startTicker();
      session.run().finally(() => sessions.delete(session));
    },
  };
  return {
    implementation: impl,
    closeAll() {
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
      for (const session of [...sessions]) session.close();
    },
  };
}
