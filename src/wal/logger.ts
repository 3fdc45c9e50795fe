// The logger the log and the snapshotter write to; a pino logger satisfies it. Without one,
// warnings go to stderr and the rest is dropped.

export interface WalLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export const stderrLogger: WalLogger = {
  info: () => {},
  warn: (msg) => process.stderr.write(`${msg}\n`),
};
