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

export function badArgs(message: string): CtlError {
  return new CtlError(ExitCode.badArgs, message);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
