// Whether a peer is active: this member has a message stream to it that the peer accepted and that
// has not failed since. A failure is logged as a warning when it ends an active spell or differs
// from the previous one, and at debug level while the same failure repeats on every redial.
import type { Logger } from '../log';
import { idToHex } from './ids';
import type { TransportMetrics } from './metrics';

export class PeerStatus {
  private since: Date | undefined;
  private lastFailure: string | undefined;

  constructor(
    private readonly localHex: string,
    private readonly peerId: bigint,
    private readonly logger: Logger,
    private readonly metrics: TransportMetrics,
  ) {}

  get active(): boolean {
    return this.since !== undefined;
  }

  get activeSince(): Date | undefined {
    return this.since;
  }

  activate(): void {
    this.lastFailure = undefined;
    if (this.since) return;
    this.since = new Date();
    this.logger.info({ 'local-member-id': this.localHex, 'remote-peer-id': idToHex(this.peerId) }, 'peer became active');
    this.metrics.activePeers.inc(this.labels());
  }

  /** `message` names the kind of failure in the log line; `reason` is its detail. */
  deactivate(reason: string, message = 'cannot reach remote peer'): void {
    const fields = { 'local-member-id': this.localHex, 'remote-peer-id': idToHex(this.peerId), error: reason };
    if (this.since) {
      this.since = undefined;
      this.logger.warn(fields, `peer became inactive: ${message}`);
      this.metrics.activePeers.dec(this.labels());
      this.metrics.disconnectedPeers.inc(this.labels());
    } else if (reason !== this.lastFailure) {
      this.logger.warn(fields, message);
    } else {
      this.logger.debug(fields, 'peer deactivated again');
    }
    this.lastFailure = reason;
  }

  /** Forgets the peer: it leaves the active gauge without counting as a disconnection. */
  stop(): void {
    if (this.since) this.metrics.activePeers.dec(this.labels());
    this.since = undefined;
  }

  private labels(): { Local: string; Remote: string } {
    return { Local: this.localHex, Remote: idToHex(this.peerId) };
  }
}
