// Named trace channels, switched on by CAIRN_TRACE (as GRPC_TRACE does for grpc-js): CAIRN_TRACE=raft,wal
// or CAIRN_TRACE=all. A channel that is on writes debug lines named after it whatever --log-level says;
// a channel that is off costs one boolean check at the call site.
import type { Logger } from 'pino';
import { namedLogger } from './logger';

export const traceChannels = ['raft', 'wal', 'mvcc', 'transport'] as const;
export type TraceChannel = (typeof traceChannels)[number];

/** The environment variable that lists the channels to switch on. */
export const traceEnvVar = 'CAIRN_TRACE';

export interface TraceSelection {
  readonly channels: ReadonlySet<TraceChannel>;
  /** Names in the variable that are no channel, so the caller can warn about them. */
  readonly unknown: readonly string[];
}

/** Parses a CAIRN_TRACE value: comma-separated channel names, `all` for every channel. */
export function parseTraceChannels(value: string | undefined): TraceSelection {
  const channels = new Set<TraceChannel>();
  const unknown: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'all') traceChannels.forEach((c) => channels.add(c));
    else if ((traceChannels as readonly string[]).includes(name)) channels.add(name as TraceChannel);
    else unknown.push(name);
  }
  return { channels, unknown };
}

export interface Tracer {
  /** Check before building an expensive message. */
  readonly enabled: boolean;
  trace(msg: string, fields?: Record<string, unknown>): void;
}

const off: Tracer = { enabled: false, trace: () => undefined };

export interface TracerOptions {
  /** The environment to read CAIRN_TRACE from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The tracer of one channel: a logger named after the channel when CAIRN_TRACE lists it, else a no-op. */
export function tracer(logger: Logger, channel: TraceChannel, options: TracerOptions = {}): Tracer {
  const { channels } = parseTraceChannels((options.env ?? process.env)[traceEnvVar]);
  if (!channels.has(channel)) return off;
  const channelLogger = namedLogger(logger, channel);
  channelLogger.level = 'debug';
  return {
    enabled: true,
    trace: (msg, fields) => (fields ? channelLogger.debug(fields, msg) : channelLogger.debug(msg)),
  };
}
