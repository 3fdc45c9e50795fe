// cairnadm's errors: each says which phase and (when one) which host failed, so the operator knows
// where to look; the CLI prints the message and exits non-zero.

export class AdmError extends Error {
  constructor(
    message: string,
    readonly where: { phase?: string; host?: string } = {},
  ) {
    super(message);
    this.name = 'AdmError';
  }
}

/** The message of any caught value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** kubeadm's form: `error execution phase certs on host cp-1: <cause>`. */
export function phaseError(err: unknown, phase: string, host?: string): AdmError {
  if (err instanceof AdmError && err.where.phase) return err;
  const on = host ? ` on host ${host}` : '';
  return new AdmError(`error execution phase ${phase}${on}: ${messageOf(err)}`, { phase, host });
}
