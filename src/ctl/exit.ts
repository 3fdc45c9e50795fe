// etcdctl's exit codes and its one error line on stderr ("Error: ...").
export const ExitCode = {
  success: 0,
  error: 1,
  badConnection: 2,
  invalidInput: 3,
  badFeature: 4,
  interrupted: 5,
  io: 6,
  badArgs: 128,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the command with etcdctl's message and exit code. */
export class CtlError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(exitCode: ExitCodeValue, message: string) {
    super(message);
    this.name = 'CtlError';
    this.exitCode = exitCode;
  }
}

/** A flag's value that does not parse: etcdctl (cobra) says it twice and exits 1. */
export class FlagParseError extends CtlError {
  constructor(message: string) {
    super(ExitCode.error, message);
    this.name = 'FlagParseError';
  }
}

/** etcdctl's fatal log line ("<time> C | pkg/flags: ..."), printed as it is instead of "Error: ...". */
export class FatalLogError extends CtlError {
  constructor(message: string) {
    super(ExitCode.error, message);
    this.name = 'FatalLogError';
  }
}

export function badArgs(message: string): CtlError {
  return new CtlError(ExitCode.badArgs, message);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
