// The wal module's own errors. The message is the whole story (file, offset, cause), in etcd's
// form: lowercase, "wal:" prefix; `code` lets callers branch without parsing text.

export type WalErrorCode =
  | 'exists'
  | 'not-found'
  | 'crc-mismatch'
  | 'corrupt'
  | 'snapshot-not-found'
  | 'snapshot-mismatch'
  | 'metadata-conflict'
  | 'bad-state'
  | 'invalid-argument'
  | 'write-failed';

export class WalError extends Error {
  readonly code: WalErrorCode;

  constructor(code: WalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WalError';
    this.code = code;
  }
}

/** The message of a caught value that may not be an Error. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
