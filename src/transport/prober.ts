// Round-trip probes over a peer's message connection: GET /raft/probing, timed into
// etcd_network_peer_round_trip_time_seconds. The answer carries the peer's clock, so a drift of more
// than a second is logged (as etcd's prober does). A probe left unanswered for the read timeout
// tells the peer that its connection is dead, which a silently cut network shows no other way.
import type { ClientHttp2Session } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { TransportContext } from './context';
import { idToHex } from './ids';
import { probingPath, requestHeaders } from './wire';
import { readText } from './session';

const maxClockDriftMs = 1000;

/** The body of a probe's answer, in the shape etcd's probing handler uses. */
export function probeAnswer(now: Date): string {
  return JSON.stringify({ Health: true, Now: now.toISOString() });
}

export class Prober {
  private startedAt: number | undefined;
  private lastAt = -Infinity;
  // Stale answers (from a connection already replaced) are told apart by this number.
  private round = 0;

  constructor(
    private readonly ctx: TransportContext,
    private readonly peerId: bigint,
  ) {}

  /** Starts a probe when one is due; a reason when the one in flight has waited too long. */
  tick(session: ClientHttp2Session): string | undefined {
    const now = performance.now();
    if (this.startedAt !== undefined) {
      const waited = now - this.startedAt;
      return waited > this.ctx.timing.readTimeoutMs ? `probe unanswered after ${Math.round(waited)} ms` : undefined;
    }
    if (now - this.lastAt >= this.ctx.timing.probeIntervalMs) this.start(session, now);
    return undefined;
  }

  /** Forgets the probe in flight: its connection is gone. */
  reset(): void {
    this.round++;
    this.startedAt = undefined;
    this.lastAt = -Infinity;
  }

  private start(session: ClientHttp2Session, now: number): void {
    const round = ++this.round;
    this.startedAt = now;
    const sentAt = Date.now();
    let req;
    try {
      req = session.request(requestHeaders(this.ctx.local, 'GET', probingPath), { endStream: true });
    } catch {
      return; // the session is closing; its own handlers report that
    }
    req.on('error', () => undefined);
    req.on('response', (headers) => {
      const status = headers[':status'];
      void readText(req).then((text) => {
        if (round !== this.round) return;
        const end = performance.now();
        this.startedAt = undefined;
        this.lastAt = end;
        if (status !== 200) {
          this.ctx.logger.debug({ 'remote-peer-id': idToHex(this.peerId), status }, 'prober got an unexpected answer');
          return;
        }
        const rttMs = end - now;
        this.ctx.metrics.roundTripTime.observe({ To: idToHex(this.peerId) }, rttMs / 1000);
        this.checkClock(text, sentAt + rttMs / 2, rttMs);
      });
    });
  }

  private checkClock(text: string, localMidpoint: number, rttMs: number): void {
    let remote: number;
    try {
      remote = Date.parse((JSON.parse(text) as { Now?: string }).Now ?? '');
    } catch {
      return;
    }
    const drift = remote - localMidpoint;
    if (Number.isFinite(drift) && Math.abs(drift) > maxClockDriftMs) {
      this.ctx.logger.warn(
        { 'remote-peer-id': idToHex(this.peerId), 'clock-drift': `${Math.round(drift)}ms`, rtt: `${rttMs.toFixed(3)}ms` },
        'prober found high clock drift',
      );
    }
  }
}
