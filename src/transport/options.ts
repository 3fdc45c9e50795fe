// What a Transport is built from, the defaults of its timings and limits, and their checks.
import type { Registry } from 'prom-client';
import type { Logger } from '../log';
import { TransportError } from './errors';
import type { PeerTlsOptions } from './tls';

export interface TransportTiming {
  /** A dial that has no answer to its stream request after this long fails. */
  dialTimeoutMs: number;
  /**
   * A stream that carries nothing for this long is dead (etcd's ConnReadTimeout, 5 s): the sender
   * writes a heartbeat frame every third of it, the receiver drops a silent stream, and a sender
   * whose writes or probe have waited this long redials.
   */
  readTimeoutMs: number;
  /** How often the round-trip time to a connected peer is probed. */
  probeIntervalMs: number;
  /** First wait before a redial; it doubles up to backoffMaxMs, with jitter. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A snapshot send whose connection moves no bytes for this long fails. */
  snapshotTimeoutMs: number;
}

export interface TransportLimits {
  /** Messages waiting for one peer's stream; more are dropped (etcd's stream buffer: 4096). */
  maxQueueMessages: number;
  /** Bytes waiting for one peer's stream; a message that would pass it is dropped. */
  maxQueueBytes: number;
  /** The largest frame accepted from a peer (and so the largest message). */
  maxFrameBytes: number;
  /** Messages are batched into one frame up to this size (a bigger message goes alone). */
  maxBatchBytes: number;
}

export const defaultTiming: TransportTiming = {
  dialTimeoutMs: 3000,
  readTimeoutMs: 5000,
  probeIntervalMs: 4000,
  backoffInitialMs: 100,
  backoffMaxMs: 2000,
  snapshotTimeoutMs: 30000,
};

export const defaultLimits: TransportLimits = {
  maxQueueMessages: 4096,
  maxQueueBytes: 64 << 20,
  maxFrameBytes: 512 << 20,
  maxBatchBytes: 1 << 20,
};

export interface TransportOptions {
  /** This member's ID. */
  memberId: bigint;
  /** The cluster's ID; requests carrying another are refused. */
  clusterId: bigint;
  /** --listen-peer-urls: http:// or https:// with host and port (port 0 picks a free one). */
  listen: readonly string[];
  /** --initial-advertise-peer-urls, sent so that a peer that does not know this member yet can answer it. */
  advertise?: readonly string[];
  tls?: PeerTlsOptions;
  logger?: Logger;
  /** Where the etcd_network_* metrics are registered; a private registry when absent. */
  metrics?: Registry;
  /** Sent as X-Server-Version. */
  serverVersion?: string;
  /** A raft message from a peer, in the order that peer sent it. A throw is logged and counted. */
  onMessage(from: bigint, bytes: Uint8Array): void;
  /**
   * A snapshot from a peer: its metadata message and its body, streamed. The sender learns success
   * when the promise resolves, failure when it rejects. Consume the body before resolving.
   */
  onSnapshot(from: bigint, meta: Uint8Array, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** Messages to a peer were dropped (raft's ReportUnreachable). */
  onUnreachable?(id: bigint): void;
  /** A peer refused this member as removed from the cluster (etcd stops the server then). */
  onRemoved?(by: bigint): void;
  /**
   * A request on the peer listener outside /raft (etcd's /members, /members/promote/<id>, /version),
   * with its body (empty for most): the member answers it; without this hook such paths get 404.
   */
  onPeerRequest?(method: string, path: string, body: Buffer): Promise<PeerReply>;
  /** Members removed before this transport started (removePeer marks the later ones). */
  isRemoved?(id: bigint): boolean;
  /** Jitter of the redial back-off, uniform in [0, 1); Math.random when absent. */
  rng?: () => number;
  timing?: Partial<TransportTiming>;
  limits?: Partial<TransportLimits>;
}

/** The member's answer to a peer API request; the listener adds X-Etcd-Cluster-ID. */
export interface PeerReply {
  status: number;
  contentType: 'application/json' | 'text/plain; charset=utf-8' | 'application/octet-stream';
  body: string | Uint8Array;
  /** for a 405: the method the path takes */
  allow?: string;
}

function positive<T extends object>(values: T, what: string): T {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new TransportError(`transport: ${what} ${name} must be a positive number (got ${String(value)})`);
    }
  }
  return values;
}

export function resolveTiming(timing: Partial<TransportTiming> | undefined): TransportTiming {
  const t = positive({ ...defaultTiming, ...timing }, 'timing');
  if (t.backoffMaxMs < t.backoffInitialMs) throw new TransportError('transport: timing backoffMaxMs must not be below backoffInitialMs');
  return t;
}

export function resolveLimits(limits: Partial<TransportLimits> | undefined): TransportLimits {
  return positive({ ...defaultLimits, ...limits }, 'limits');
}
