// The seam between "propose" and "apply". Services never see it: the server proposes encoded
// requests and applies what comes back committed. The implementation is raft (raft-node.ts), for a
// lone member as for a cluster.

/** An entry that is durable and committed; apply it in index order. */
export interface CommittedEntry {
  index: number;
  term: number;
  data: Buffer;
}

export interface ReplicationHandlers {
  /** Applies committed entries; the log delivers the next batch only after this settles. */
  apply(entries: CommittedEntry[]): Promise<void>;
  /** The log cannot go on (a WAL write failed); proposals in flight are lost. */
  fatal(err: Error): void;
}

export interface ReplicationStatus {
  /** 0n when no leader is known */
  leader: bigint;
  term: number;
  /** highest index known committed */
  commitIndex: number;
  isLearner: boolean;
}

export interface ReplicationLog {
  /** Delivers the entries the log holds beyond `appliedIndex` first, then serves proposals. */
  start(appliedIndex: number, handlers: ReplicationHandlers): Promise<void>;
  /** Queues an encoded request; it comes back through `apply` once committed. @throws ServerError stopped, no-leader */
  propose(data: Buffer): void;
  /** The index a linearizable read must wait to see applied before it reads. */
  readIndex(): Promise<number>;
  status(): ReplicationStatus;
  /** Number of proposals not yet committed. */
  pending(): number;
  /** Stops taking proposals, lets what is in flight be applied, closes the log. */
  close(): Promise<void>;
}
