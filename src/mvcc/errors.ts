// Internal errors of the store. Messages are etcd's internal texts; the server maps `code` to
// the gRPC status and wire message (src/api/errors.ts).

export type MvccErrorCode =
  | 'compacted'
  | 'future-rev'
  | 'key-not-found'
  | 'lease-not-found'
  | 'duplicate-key'
  | 'duplicate-watch-id'
  | 'empty-watcher-range'
  | 'closed';

const MESSAGES: Record<MvccErrorCode, string> = {
  compacted: 'mvcc: required revision has been compacted',
  'future-rev': 'mvcc: required revision is a future revision',
  'key-not-found': 'etcdserver: key not found',
  'lease-not-found': 'lease not found',
  'duplicate-key': 'etcdserver: duplicate key given in txn request',
  'duplicate-watch-id': 'mvcc: duplicate watch ID provided on the WatchStream',
  'empty-watcher-range': 'mvcc: watcher range is empty',
  closed: 'mvcc: closed',
};

export class MvccError extends Error {
  readonly code: MvccErrorCode;
  /** for 'compacted': the store's compact revision at the time */
  readonly compactRevision: number;

  constructor(code: MvccErrorCode, opts: { compactRevision?: number } = {}) {
    super(MESSAGES[code]);
    this.name = 'MvccError';
    this.code = code;
    this.compactRevision = opts.compactRevision ?? 0;
  }
}

export function isMvccError(err: unknown, code?: MvccErrorCode): err is MvccError {
  return err instanceof MvccError && (code === undefined || err.code === code);
}
