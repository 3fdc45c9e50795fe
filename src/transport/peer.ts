// One peer as seen from this member: the long-lived message stream to it (POST /raft/stream/<our id>,
// upgraded to a bare socket: stream-dial.ts), the bounded queue in front of that stream, heartbeats
// and probes that keep the stream honest, and redials with back-off when it fails.
//
// Connection states: idle (waiting out a back-off) -> dialing (request sent, no answer yet) ->
// connected (the peer switched protocols: active) -> failed -> idle. Every failure tears the connection
// down and drops what was queued; a refusal (412, 410, ...) is a failure too, logged with its reason.
// Each attempt has a number, so events of a connection already torn down change nothing.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Backoff } from './backoff';
import type { TransportContext } from './context';
import { errorText } from './errors';
import { encodeFrame, recordSize } from './frame';
import { idToHex } from './ids';
import { PeerStatus } from './peer-status';
import { Prober } from './prober';
import { dialStream, type StreamDial } from './stream-dial';
import type { PeerUrl } from './urls';
import { refusal } from './wire';

const heartbeatFrame = encodeFrame([]);

/** What a peer's queue holds, for status pages and tests. */
export interface PeerQueueState {
  readonly queuedMessages: number;
  readonly queuedBytes: number;
}

export class Peer {
  readonly status: PeerStatus;
  /** Learned from a request of a member this one did not know (etcd's "remote"), not added by the owner. */
  remote: boolean;
  private urls: PeerUrl[];
  private urlIndex = 0;
  private readonly hex: string;
  private readonly backoff: Backoff;
  private readonly prober: Prober;

  private attempt = 0;
  private pending: StreamDial | undefined;
  private socket: Socket | undefined;
  private connected = false;
  private dialTimer: NodeJS.Timeout | undefined;
  private redialTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private queue: Uint8Array[] = [];
  private queueBytes = 0;
  private flushScheduled = false;
  private waitingDrainSince: number | undefined;
  private wroteSinceTick = false;
  private overloaded = false;

  constructor(
    private readonly ctx: TransportContext,
    readonly id: bigint,
    urls: PeerUrl[],
    remote: boolean,
  ) {
    this.urls = urls;
    this.remote = remote;
    this.hex = idToHex(id);
    this.status = new PeerStatus(ctx.localHex, id, ctx.logger, ctx.metrics);
    this.backoff = new Backoff({ initialMs: ctx.timing.backoffInitialMs, maxMs: ctx.timing.backoffMaxMs, rng: ctx.rng });
    this.prober = new Prober(ctx, id);
  }

  start(): void {
    this.ctx.logger.info({ 'local-member-id': this.ctx.localHex, 'remote-peer-id': this.hex }, 'starting remote peer');
    this.dial();
  }

  /** The URL that snapshots go to: the one the message stream uses (or will try next). */
  currentUrl(): PeerUrl {
    return this.urls[this.urlIndex % this.urls.length];
  }

  queueState(): PeerQueueState {
    return { queuedMessages: this.queue.length, queuedBytes: this.queueBytes };
  }

  updateUrls(urls: PeerUrl[]): void {
    const current = this.connected || this.pending ? this.currentUrl().origin : undefined;
    this.urls = urls;
    const kept = urls.findIndex((u) => u.origin === current);
    this.urlIndex = kept >= 0 ? kept : 0;
    if (current !== undefined && kept < 0) {
      // The connection goes to an address the peer no longer has: redial at once.
      this.teardown();
      this.dropQueue();
      this.status.deactivate('peer URLs changed');
      this.dial();
    }
  }

  /** Queues messages for the stream; drops them (counted) when the stream is down or the queue is full. */
  send(messages: readonly Uint8Array[]): void {
    if (this.stopped || messages.length === 0) return;
    if (!this.connected) {
      this.dropped(messages.length);
      return;
    }
    const { maxQueueMessages, maxQueueBytes } = this.ctx.limits;
    let dropped = 0;
    for (const m of messages) {
      const full = this.queue.length >= maxQueueMessages || (this.queue.length > 0 && this.queueBytes + m.length > maxQueueBytes);
      if (full) {
        dropped++;
        continue;
      }
      this.queue.push(m);
      this.queueBytes += m.length;
    }
    if (dropped > 0) {
      if (!this.overloaded) {
        this.overloaded = true;
        this.ctx.logger.warn(
          { 'local-member-id': this.ctx.localHex, 'remote-peer-id': this.hex, 'queued-messages': this.queue.length, 'queued-bytes': this.queueBytes },
          'dropped internal Raft message since sending buffer is full (overloaded network)',
        );
      }
      this.dropped(dropped);
    }
    this.scheduleFlush();
  }

  /** Called every third of the read timeout: heartbeat when idle, probe, and find a stalled stream. */
  tick(): void {
    const attempt = this.attempt;
    if (!this.connected || !this.socket) return;
    if (this.waitingDrainSince !== undefined) {
      const waited = performance.now() - this.waitingDrainSince;
      if (waited > this.ctx.timing.readTimeoutMs) {
        this.fail(attempt, `write made no progress for ${Math.round(waited)} ms`);
        return;
      }
    } else if (!this.wroteSinceTick) {
      this.write(heartbeatFrame);
    }
    this.wroteSinceTick = false;
    const probeFailure = this.prober.tick(this.currentUrl());
    if (probeFailure !== undefined) this.fail(attempt, probeFailure);
  }

  stop(): void {
    if (this.stopped) return;
    // What is queued still leaves, and the stream is ended rather than cut: a member stopping for a
    // restart would otherwise drop messages others wait on (a proposal it forwards to the leader).
    const socket = this.connected ? this.socket : undefined;
    if (socket !== undefined) {
      this.waitingDrainSince = undefined;
      this.flush();
      this.socket = undefined;
      socket.end();
    }
    this.stopped = true;
    this.attempt++;
    clearTimeout(this.redialTimer);
    this.teardown();
    this.queue = [];
    this.queueBytes = 0;
    this.status.stop();
    this.ctx.logger.info({ 'local-member-id': this.ctx.localHex, 'remote-peer-id': this.hex }, 'stopped remote peer');
  }

  private dial(): void {
    if (this.stopped) return;
    const attempt = ++this.attempt;
    const url = this.currentUrl();
    if (this.ctx.trace.enabled) this.ctx.trace.trace('dial stream', { to: this.hex, address: url.origin, attempt });
    let pending: StreamDial;
    try {
      pending = dialStream(url, this.ctx.tls, this.ctx.local, this.id);
    } catch (err) {
      this.fail(attempt, errorText(err));
      return;
    }
    this.pending = pending;
    this.dialTimer = setTimeout(() => this.fail(attempt, `no answer to the stream request within ${this.ctx.timing.dialTimeoutMs} ms`), this.ctx.timing.dialTimeoutMs);
    this.dialTimer.unref();
    pending.answer.then(
      (answer) => {
        if (attempt !== this.attempt) {
          pending.abort();
          return;
        }
        clearTimeout(this.dialTimer);
        this.pending = undefined;
        if ('socket' in answer) this.opened(attempt, answer.socket, url);
        else this.refused(attempt, answer.status, answer.text, answer.clusterId);
      },
      (err) => this.fail(attempt, errorText(err)),
    );
  }

  private opened(attempt: number, socket: Socket, url: PeerUrl): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', (err) => this.fail(attempt, errorText(err)));
    socket.on('close', () => this.fail(attempt, 'stream closed by remote peer'));
    socket.on('drain', () => {
      if (attempt !== this.attempt) return;
      this.waitingDrainSince = undefined;
      this.flush();
    });
    // The receiver writes nothing; reading keeps the socket flowing, so its end and errors surface.
    socket.resume();
    this.connected = true;
    this.backoff.reset();
    this.status.activate();
    this.ctx.logger.info(
      { 'local-member-id': this.ctx.localHex, 'remote-peer-id': this.hex, address: url.origin },
      'established TCP streaming connection with remote peer',
    );
    this.prober.tick(url);
  }

  private refused(attempt: number, status: number, text: string, remoteCluster: string): void {
    if (attempt !== this.attempt) return;
    if (status === 410 || status === 403) {
      this.ctx.logger.error(
        { 'local-member-id': this.ctx.localHex, 'remote-peer-id': this.hex },
        'the member has been permanently removed from the cluster',
      );
      this.fail(attempt, `remote peer answered ${status} (${text || refusal.removed})`, 'request sent was ignored by remote peer: this member was removed');
      this.ctx.removedBy(this.id);
      return;
    }
    if (status === 412 && text === refusal.clusterIdMismatch) {
      this.fail(
        attempt,
        `cluster ID mismatch: remote[${this.hex}]=${remoteCluster}, local=${idToHex(this.ctx.local.clusterId)}`,
        'request sent was ignored by remote peer due to cluster ID mismatch',
      );
      return;
    }
    this.fail(attempt, `remote peer answered ${status}${text ? ` (${text})` : ''}`, 'request sent was ignored by remote peer');
  }

  private fail(attempt: number, reason: string, message?: string): void {
    if (attempt !== this.attempt || this.stopped) return;
    this.attempt++;
    this.teardown();
    this.dropQueue();
    this.status.deactivate(reason, message);
    // Another URL of the peer may work where this one did not.
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.redialTimer = setTimeout(() => this.dial(), this.backoff.next());
    this.redialTimer.unref();
  }

  private teardown(): void {
    clearTimeout(this.dialTimer);
    this.prober.reset();
    this.connected = false;
    this.waitingDrainSince = undefined;
    this.flushScheduled = false;
    this.pending?.abort();
    this.pending = undefined;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private dropQueue(): void {
    const lost = this.queue.length;
    this.queue = [];
    this.queueBytes = 0;
    this.overloaded = false;
    if (lost > 0) this.dropped(lost);
  }

  private dropped(count: number): void {
    this.ctx.metrics.sentFailures.inc({ To: this.hex }, count);
    this.ctx.unreachable(this.id);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Messages queued in the same turn of the event loop leave as one frame, in its check phase: a
    // write wakes the receiver at once, and on a loaded machine the receiver then takes the core
    // from the rest of this turn (the leader's own WAL write, say). Measured in bench/RESULTS.md.
    setImmediate(() => {
      if (!this.flushScheduled) return;
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const { maxBatchBytes } = this.ctx.limits;
    while (this.connected && this.waitingDrainSince === undefined && this.queue.length > 0) {
      let count = 0;
      let size = 0;
      while (count < this.queue.length && (count === 0 || size + recordSize(this.queue[count]) <= maxBatchBytes)) {
        size += recordSize(this.queue[count]);
        count++;
      }
      const batch = this.queue.splice(0, count);
      for (const m of batch) this.queueBytes -= m.length;
      if (this.ctx.trace.enabled) this.ctx.trace.trace('write frame', { to: this.hex, messages: count, bytes: size });
      this.write(encodeFrame(batch));
    }
    if (this.queue.length === 0) this.overloaded = false;
  }

  private write(frame: Buffer): void {
    const socket = this.socket;
    if (!socket) return;
    this.wroteSinceTick = true;
    this.ctx.metrics.sentBytes.inc({ To: this.hex }, frame.length);
    if (!socket.write(frame)) this.waitingDrainSince = performance.now();
  }
}
