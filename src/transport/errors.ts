// Errors of the peer transport. They stay inside cairn (logs, rejected promises); the messages keep
// etcd's form: lowercase, no final period, the `transport:` prefix.

export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The text of an unknown caught value, for logs and wrapped errors. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
