// The structured logger: one JSON object a line with the fields etcd's zap logger writes (level as a
// word, ts as ISO-8601, msg) plus `logger`, the name of the part of cairn that speaks.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** etcd's --log-level words; `dpanic` and `panic` exist in zap only, so they map to our nearest level. */
export const logLevels = ['debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface LoggerOptions {
  /** etcd's --log-level; default `info`. */
  level?: LogLevel;
  /** etcd's --log-outputs: `default` and `stderr` (standard error), `stdout`, or file paths (appended to). */
  outputs?: readonly string[];
  /** The `logger` field of every line; default `cairn`. */
  name?: string;
}

export class LoggerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoggerError';
  }
}

function pinoLevel(level: LogLevel): pino.Level {
  switch (level) {
    case 'dpanic':
    case 'panic':
      return 'fatal';
    default:
      return level;
  }
}

function destinationFor(output: string): DestinationStream {
  // Synchronous writes: a crash (or SIGKILL in a test) must not lose the lines that led up to it.
  switch (output) {
    case 'default':
    case 'stderr':
      return pino.destination({ dest: 2, sync: true });
    case 'stdout':
      return pino.destination({ dest: 1, sync: true });
    default:
      if (output === '') throw new LoggerError('log: empty log output');
      try {
        return pino.destination({ dest: output, sync: true, append: true, mkdir: false });
      } catch (err) {
        throw new LoggerError(`log: cannot open log output ${output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
  }
}

// The name of each named logger; kept beside pino's bindings so that a child of a child names itself once.
const loggerNames = new WeakMap<Logger, string>();

/** A logger writing JSON lines to the given outputs. Bad outputs throw `LoggerError` naming them. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const rootName = options.name ?? 'cairn';
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new LoggerError(`log: unknown log level "${String(level)}" (one of ${logLevels.join(', ')})`);
  }
  const outputs = [...new Set(options.outputs?.length ? options.outputs : ['default'])];
  // 'default' and 'stderr' name the same stream; write each line there once.
  const streams = [...new Set(outputs.map((o) => (o === 'default' ? 'stderr' : o)))].map(destinationFor);
  const destination = streams.length === 1 ? streams[0] : pino.multistream(streams.map((stream) => ({ stream, level: 'trace' as const })));
  return pino(
    {
      level: pinoLevel(level),
      base: undefined,
      mixin: (_merge, _level, instance) => ({ logger: loggerNames.get(instance) ?? rootName }),
      messageKey: 'msg',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger for one part of cairn: every line it writes names it in the `logger` field. */
export function namedLogger(parent: Logger, name: string): Logger {
  const child = parent.child({});
  loggerNames.set(child, name);
  return child;
}

/** A logger that writes nothing, for tests and embedding. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
