// Configuration errors. `exitCode` follows etcd: 2 for a command line Go's flag package cannot parse
// (it also prints the usage), 1 for everything else.
export class ConfigError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'ConfigError';
    this.exitCode = exitCode;
  }
}
