// What the parts of a Transport share: who this member is, how to log and count, the TLS material,
// timings and limits, and the callbacks into the member that owns the transport.
import type { Logger, Tracer } from '../log';
import type { TransportMetrics } from './metrics';
import type { TransportLimits, TransportTiming } from './options';
import type { PeerTlsMaterial } from './tls';
import type { LocalIdentity } from './wire';

export interface TransportContext {
  readonly local: LocalIdentity;
  readonly localHex: string;
  readonly logger: Logger;
  readonly trace: Tracer;
  readonly metrics: TransportMetrics;
  readonly tls: PeerTlsMaterial | undefined;
  readonly timing: TransportTiming;
  readonly limits: TransportLimits;
  readonly rng: () => number;
  /** Messages to `id` were dropped. */
  unreachable(id: bigint): void;
  /** Peer `by` said this member was removed. */
  removedBy(by: bigint): void;
}
