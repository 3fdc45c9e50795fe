// Round-trip probes to a connected peer over an HTTP/2 connection of their own: GET /raft/probing,
// timed into etcd_network_peer_round_trip_time_seconds. The answer carries the peer's clock, so a
// drift of more than a second is logged (as etcd's prober does). A probe left unanswered for the read
// timeout tells the peer that its message stream is dead too, which a silently cut network shows no
// other way (the receiver of a stream writes nothing on it).
import type { ClientHttp2Session } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { TransportContext } from './context';
import { idToHex } from './ids';
import { openSession, readText } from './session';
import type { PeerUrl } from './urls';
import { probingPath, requestHeaders } from './wire';

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
  private session: ClientHttp2Session | undefined;

  constructor(
    private readonly ctx: TransportContext,
    private readonly peerId: bigint,
  ) {}

  /** Starts a probe when one is due; a reason when the one in flight has waited too long. */
  tick(url: PeerUrl): string | undefined {
    const now = performance.now();
    if (this.startedAt !== undefined) {
      const waited = now - this.startedAt;
      return waited > this.ctx.timing.readTimeoutMs ? `probe unanswered after ${Math.round(waited)} ms` : undefined;
    }
    if (now - this.lastAt >= this.ctx.timing.probeIntervalMs) this.start(url, now);
    return undefined;
  }

  /** Forgets the probe in flight and closes its connection: the stream it vouched for is gone. */
  reset(): void {
    this.round++;
    this.startedAt = undefined;
    this.lastAt = -Infinity;
    const session = this.session;
    this.session = undefined;
    if (session && !session.destroyed) session.destroy();
  }

  /** The probe connection, opened again when the last one failed (its probe then goes unanswered). */
  private sessionTo(url: PeerUrl): ClientHttp2Session {
    const open = this.session;
    if (open && !open.closed && !open.destroyed) return open;
    const session = openSession(url, this.ctx.tls);
    session.on('error', () => session.destroy());
    this.session = session;
    return session;
  }

  private start(url: PeerUrl, now: number): void {
    const round = ++this.round;
    this.startedAt = now;
    const sentAt = Date.now();
    let req;
    try {
      req = this.sessionTo(url).request(requestHeaders(this.ctx.local, 'GET', probingPath), { endStream: true });
    } catch {
      return; // the session is closing: the probe goes unanswered
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
