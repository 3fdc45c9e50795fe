// Errors of the snapshot module. Each carries a code so that callers (cairnctl) can react to a kind
// of failure without matching on text; the message names what is wrong, in etcd's style.

export type SnapshotErrorCode =
  | 'bad-magic'
  | 'bad-version'
  | 'meta-checksum'
  | 'bad-meta'
  | 'truncated'
  | 'out-of-bounds'
  | 'bad-page'
  | 'unsorted'
  | 'page-reuse'
  | 'unreachable'
  | 'bad-bucket'
  | 'missing-trailer'
  | 'hash-mismatch'
  | 'bad-input'
  | 'bad-value';

export class SnapshotError extends Error {
  readonly code: SnapshotErrorCode;

  constructor(code: SnapshotErrorCode, message: string) {
    super(`snapshot: ${message}`);
    this.name = 'SnapshotError';
    this.code = code;
  }
}

export function isSnapshotError(err: unknown): err is SnapshotError {
  return err instanceof SnapshotError;
}

/** A key for an error message: hex, shortened when long. */
export function hexKey(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return h.length > 80 ? `${h.slice(0, 80)}...` : h;
}
