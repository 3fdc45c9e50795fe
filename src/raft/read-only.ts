// Pending ReadIndex requests on the leader. Each request remembers the commit index at
// its arrival; heartbeats carry the position of the newest queued request, and once a
// quorum has acknowledged a position, every request up to it is released together.
import { Message } from './raftpb';
import { JointConfig, jointCommittedIndex } from './quorum';

export enum ReadOnlyOption {
  /** Confirms leadership with a heartbeat round before answering (the default). */
  ReadOnlySafe = 0,
  /** Trusts the leader lease (needs CheckQuorum); clock drift can break linearizability. */
  ReadOnlyLeaseBased = 1,
}

export interface ReadIndexRequest {
  req: Message;
  /** The commit index when the request arrived: the read is served once applied reaches it. */
  index: number;
}

export class ReadOnly {
  readonly option: ReadOnlyOption;
  /** Per member, the highest request position it has acknowledged through a heartbeat. */
  private readonly acks = new Map<bigint, number>();
  private unconfirmed: ReadIndexRequest[] = [];
  /** Requests released so far; positions count from 1. */
  private confirmed = 0;

  constructor(option: ReadOnlyOption) {
    this.option = option;
  }

  addRequest(commitIndex: number, req: Message): void {
    this.unconfirmed.push({ req, index: commitIndex });
  }

  /** Records a heartbeat acknowledgement carrying a request position. */
  recvAck(from: bigint, ctx: Uint8Array): void {
    if (ctx.length !== 8) return;
    const pos = decodePosition(ctx);
    this.acks.set(from, Math.max(this.acks.get(from) ?? 0, pos));
  }

  /** Releases the requests a quorum has confirmed, oldest first. */
  maybeAdvance(voters: JointConfig): ReadIndexRequest[] {
    const pos = jointCommittedIndex(voters, (id) => this.acks.get(id));
    if (pos <= this.confirmed) return [];
    const n = pos - this.confirmed;
    const released = this.unconfirmed.slice(0, n);
    this.unconfirmed = this.unconfirmed.slice(n);
    this.confirmed = pos;
    return released;
  }

  /** The context for the next heartbeat: the newest queued position, or empty with none queued. */
  heartbeatCtx(): Uint8Array {
    if (this.unconfirmed.length === 0) return EMPTY;
    return encodePosition(this.confirmed + this.unconfirmed.length);
  }
}

const EMPTY = new Uint8Array(0);

function encodePosition(pos: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(pos), true);
  return b;
}

function decodePosition(ctx: Uint8Array): number {
  return Number(new DataView(ctx.buffer, ctx.byteOffset, 8).getBigUint64(0, true));
}
