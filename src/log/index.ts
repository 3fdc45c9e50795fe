// Structured logging: JSON lines with etcd/zap's fields (level, ts, msg) and the name of the part that
// logs (`logger`); trace channels raft, wal, mvcc and transport switched on by CAIRN_TRACE.
export { createLogger, namedLogger, silentLogger, logLevels, LoggerError } from './logger';
export type { Logger, LogLevel, LoggerOptions } from './logger';
export { tracer, parseTraceChannels, traceChannels, traceEnvVar } from './trace';
export type { Tracer, TraceChannel, TraceSelection, TracerOptions } from './trace';
