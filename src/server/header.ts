// Response headers: which cluster and member answered, at which store revision and raft term.
import type { etcdserverpb } from '../api';

export interface HeaderSource {
  readonly clusterId: bigint;
  readonly memberId: bigint;
  raftTerm(): number;
  currentRevision(): number;
}

export function makeHeader(source: HeaderSource, revision?: number): etcdserverpb.ResponseHeader {
  return {
    clusterId: source.clusterId,
    memberId: source.memberId,
    revision: BigInt(revision ?? source.currentRevision()),
    raftTerm: BigInt(source.raftTerm()),
  };
}
