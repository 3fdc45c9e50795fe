// Errors raft hands to its caller. The texts are etcd raft's own, so logs read the same.

export type RaftErrorCode =
  | 'compacted'
  | 'snap-out-of-date'
  | 'unavailable'
  | 'snapshot-temporarily-unavailable'
  | 'proposal-dropped'
  | 'step-local-msg'
  | 'step-peer-not-found'
  | 'invalid-config'
  | 'decode';

export class RaftError extends Error {
  readonly code: RaftErrorCode;
  constructor(code: RaftErrorCode, message: string) {
    super(message);
    this.name = 'RaftError';
    this.code = code;
  }
}

export function errCompacted(): RaftError {
  return new RaftError('compacted', 'requested index is unavailable due to compaction');
}

export function errSnapOutOfDate(): RaftError {
  return new RaftError('snap-out-of-date', 'requested index is older than the existing snapshot');
}

export function errUnavailable(): RaftError {
  return new RaftError('unavailable', 'requested entry at index is unavailable');
}

export function errSnapshotTemporarilyUnavailable(): RaftError {
  return new RaftError('snapshot-temporarily-unavailable', 'snapshot is temporarily unavailable');
}

export function errProposalDropped(): RaftError {
  return new RaftError('proposal-dropped', 'raft proposal dropped');
}

export function isRaftError(err: unknown, code: RaftErrorCode): err is RaftError {
  return err instanceof RaftError && err.code === code;
}
