// The replication log of a raft cluster: a RawNode driven by a tick timer, fed by peer messages,
// and one loop that handles each Ready in etcd's order (server/etcdserver/raft.go): persist the
// snapshot, then entries and hard state in one WAL save (one fdatasync), then send messages (a
// leader sends them first), then apply committed entries, then advance. Raft's entries live in a MemoryStorage rebuilt from the WAL
// at start, as etcd pairs MemoryStorage with its WAL.
import { randomInt } from 'node:crypto';
import {
  ConfChange,
  ConfState,
  EntryType,
  Message,
  MessageType,
  MemoryStorage,
  Peer,
  RawNode,
  StateType,
  decodeConfChange,
  RaftError,
} from '../raft';
import type { Entry as WalEntry, HardState as WalHardState } from '../wal';
import type { Logger } from '../log';
import { ServerError } from './errors';
import type { CommittedEntry, ReplicationHandlers, ReplicationLog, ReplicationStatus } from './replication-log';

const afterDurable = new Set([MessageType.MsgAppResp, MessageType.MsgVoteResp, MessageType.MsgPreVoteResp]);

/** Where raft messages go: the peer transport. */
export interface PeerNetwork {
  send(messages: Message[]): void;
}

/** The part of the WAL the loop writes. */
export interface RaftWal {
  save(hardState: WalHardState | undefined, entries: readonly WalEntry[]): Promise<void>;
  close(): Promise<void>;
}

export interface RaftLogOptions {
  memberId: bigint;
  wal: RaftWal;
  /** What the WAL held at open (empty for a new member). */
  hardState: WalHardState;
  walEntries: WalEntry[];
  /** A brand-new cluster's initial members (raft's bootstrap); absent on restart and for `existing`. */
  bootstrapPeers?: Peer[];
  heartbeatMs: number;
  electionMs: number;
  network: PeerNetwork;
  /** A committed conf change; `fresh` is false when the store already applied it (replay after restart). */
  onConfChange(change: ConfChange, fresh: boolean, confState: ConfState): void;
  /** The known leader changed (0n: none). */
  onLeaderChange?(leader: bigint): void;
  logger: Logger;
}

/** etcd's ReqTimeout: 5 s plus two election timeouts. */
export function requestTimeoutMs(electionMs: number): number {
  return 5000 + 2 * electionMs;
}

interface PendingRead {
  resolve(index: number): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** A Buffer over the same memory: entries are never written to, and a restart holds hundreds of MB of them. */
function sameBytes(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class RaftReplicationLog implements ReplicationLog {
  private readonly node: RawNode;
  private readonly storage: MemoryStorage;
  private readonly options: RaftLogOptions;
  private handlers: ReplicationHandlers | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private failed: Error | undefined;
  private leader = 0n;
  private readsQueued: PendingRead[] = [];
  private readsSent = new Map<string, PendingRead[]>();
  private readSeq = 0n;
  private confWaiters = new Map<bigint, (err?: Error) => void>();
  // Conf change proposals that reached the leader while another one was not yet applied: raft would
  // drop them (their proposer would wait out its timeout), so they are held and stepped in turn.
  private heldConfChanges: (() => void)[] = [];
  private appliedIndex = 0;
  private startApplied = 0;
  private caughtUp: (() => void) | undefined;
  private elected: (() => void) | undefined;
  private restoredCommit: number;
  private proposalsInFlight = 0;

  constructor(options: RaftLogOptions) {
    this.options = options;
    this.storage = new MemoryStorage();
    if (options.walEntries.length > 0) this.storage.append(options.walEntries.map((e) => ({ ...e, data: sameBytes(e.data) })));
    this.storage.setHardState(options.hardState);
    this.restoredCommit = options.hardState.commit;
    const heartbeatTick = 1;
    const electionTick = Math.max(2, Math.round(options.electionMs / options.heartbeatMs));
    this.node = new RawNode({
      id: options.memberId,
      electionTick,
      heartbeatTick,
      storage: this.storage,
      rng: (n) => randomInt(n),
      preVote: true,
      checkQuorum: true,
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 512,
    });
    if (options.bootstrapPeers !== undefined) this.node.bootstrap(options.bootstrapPeers);
  }

  async start(appliedIndex: number, handlers: ReplicationHandlers): Promise<void> {
    this.handlers = handlers;
    this.startApplied = appliedIndex;
    const replayed = new Promise<void>((resolve) => {
      this.caughtUp = resolve;
    });
    // A member without a committed log (one that joins an existing cluster) has nothing to replay.
    if (this.restoredCommit === 0) this.finishReplay();
    this.loop = this.run();
    this.ticker = setInterval(() => {
      this.node.tick();
      this.kick();
    }, this.options.heartbeatMs);
    this.kick();
    await replayed;
    // The replay rebuilt raft's configuration: a member that is the only voter elects itself at once
    // rather than after an election timeout, and serves as the leader from the start.
    const { voters } = this.node.status().config;
    if (voters.length === 1 && voters[0] === this.options.memberId) {
      const elected = new Promise<void>((resolve) => {
        this.elected = resolve;
      });
      this.node.campaign();
      this.kick();
      await elected;
    }
  }

  /** A raft message from a peer. */
  step(message: Message): void {
    if (this.stopped) return;
    const stepIt = () => {
      try {
        this.node.step(message);
      } catch (err) {
        if (!(err instanceof RaftError)) throw err;
      }
    };
    const confChange = message.type === MessageType.MsgProp && message.entries.some((e) => e.type === EntryType.EntryConfChange);
    if (confChange && this.confChangePending()) this.heldConfChanges.push(stepIt);
    else stepIt();
    this.kick();
  }

  propose(data: Buffer): void {
    this.checkUsable();
    if (this.leader === 0n) throw new ServerError('no-leader');
    try {
      this.node.propose(data);
    } catch (err) {
      if ((err instanceof RaftError)) throw new ServerError('no-leader');
      throw err;
    }
    this.proposalsInFlight++;
    this.kick();
  }

  /** Proposes a membership change and resolves once it is applied. */
  proposeConfChange(change: ConfChange): Promise<void> {
    this.checkUsable();
    if (this.leader === 0n) throw new ServerError('no-leader');
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.confWaiters.delete(change.id);
        reject(new ServerError('timeout'));
      }, requestTimeoutMs(this.options.electionMs));
      this.confWaiters.set(change.id, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
      const proposeIt = () => {
        try {
          this.node.proposeConfChange(change);
        } catch (err) {
          this.confWaiters.delete(change.id);
          clearTimeout(timer);
          reject((err instanceof RaftError) ? new ServerError('no-leader') : err);
        }
      };
      if (this.confChangePending()) this.heldConfChanges.push(proposeIt);
      else proposeIt();
      this.kick();
    });
  }

  /** Linearizable reads share one raft ReadIndex round per event-loop turn. */
  readIndex(): Promise<number> {
    this.checkUsable();
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.dropRead(read);
        reject(new ServerError('timeout'));
      }, requestTimeoutMs(this.options.electionMs));
      const read: PendingRead = { resolve, reject, timer };
      this.readsQueued.push(read);
      if (this.readsQueued.length === 1) setImmediate(() => this.sendReads());
    });
  }

  reportUnreachable(id: bigint): void {
    if (!this.stopped) this.node.reportUnreachable(id);
  }

  transferLeader(to: bigint): void {
    this.node.transferLeader(to);
    this.kick();
  }

  status(): ReplicationStatus {
    const s = this.node.status();
    return { leader: this.leader, term: s.term, commitIndex: s.commit, isLearner: s.config.learners.includes(this.options.memberId) };
  }

  /** The leader's view of a member's log (undefined when this member is not the leader). */
  progress(id: bigint): { match: number } | undefined {
    return this.node.status().progress.get(id);
  }

  lastIndex(): number {
    return this.storage.lastIndex();
  }

  isLeader(): boolean {
    return this.node.status().raftState === StateType.StateLeader;
  }

  pending(): number {
    return this.proposalsInFlight;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.kick();
    await this.loop;
    const stopped = new ServerError('stopped');
    for (const read of [...this.readsQueued, ...[...this.readsSent.values()].flat()]) {
      clearTimeout(read.timer);
      read.reject(stopped);
    }
    for (const done of this.confWaiters.values()) done(stopped);
    await this.options.wal.close();
  }

  private checkUsable(): void {
    if (this.stopped) throw new ServerError('stopped');
    if (this.failed) throw this.failed;
  }

  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private sendReads(): void {
    if (this.readsQueued.length === 0 || this.stopped) return;
    const batch = this.readsQueued;
    this.readsQueued = [];
    const ctx = Buffer.alloc(8);
    ctx.writeBigUInt64BE(++this.readSeq);
    this.readsSent.set(ctx.toString('hex'), batch);
    this.node.readIndex(ctx);
    this.kick();
  }

  private dropRead(read: PendingRead): void {
    this.readsQueued = this.readsQueued.filter((r) => r !== read);
    for (const [key, batch] of this.readsSent) {
      const rest = batch.filter((r) => r !== read);
      if (rest.length === 0) this.readsSent.delete(key);
      else this.readsSent.set(key, rest);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped && !this.failed) {
      if (!this.node.hasReady()) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      try {
        await this.handleReady();
      } catch (err) {
        this.failed = err instanceof Error ? err : new Error(String(err));
        this.options.logger.error({ err: this.failed.message }, 'raft loop failed');
        this.handlers?.fatal(this.failed);
      }
    }
  }

  private async handleReady(): Promise<void> {
    const rd = this.node.ready();
    if (rd.softState !== undefined && rd.softState.lead !== this.leader) {
      this.leader = rd.softState.lead;
      this.options.onLeaderChange?.(this.leader);
      if (this.leader === this.options.memberId) this.elected?.();
    }
    for (const rs of rd.readStates) {
      const key = Buffer.from(rs.requestCtx).toString('hex');
      const batch = this.readsSent.get(key);
      this.readsSent.delete(key);
      for (const read of batch ?? []) {
        clearTimeout(read.timer);
        read.resolve(rs.index);
      }
    }
    // The leader sends before its own disk write so followers persist in parallel with it (raft thesis
    // 10.2.1, as etcd does); its own ack counts toward commit only at advance(), after the write. An
    // ack or vote answer always waits for the state it vouches for to be durable.
    const sendFirst = this.isLeader() && !rd.messages.some((m) => afterDurable.has(m.type));
    if (sendFirst && rd.messages.length > 0) this.options.network.send(rd.messages);
    if (rd.hardState !== undefined || rd.entries.length > 0) {
      await this.options.wal.save(rd.hardState, rd.entries);
      if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
      this.storage.append(rd.entries);
    }
    if (!sendFirst && rd.messages.length > 0) this.options.network.send(rd.messages);
    if (rd.committedEntries.length > 0) await this.applyCommitted(rd.committedEntries);
    this.node.advance();
    if (this.appliedIndex >= this.restoredCommit) this.finishReplay();
    if (this.heldConfChanges.length > 0 && !this.confChangePending()) this.heldConfChanges.shift()?.();
  }

  /** This member leads and has a conf change in its log that is not applied yet. */
  private confChangePending(): boolean {
    const raft = this.node.raft;
    return this.isLeader() && raft.pendingConfIndex > raft.raftLog.applied;
  }

  private finishReplay(): void {
    this.caughtUp?.();
    this.caughtUp = undefined;
  }

  /** Normal entries go to the store in batches; a conf change is applied to raft between batches. */
  private async applyCommitted(entries: readonly { index: number; term: number; type: EntryType; data: Uint8Array }[]): Promise<void> {
    const handlers = this.handlers as ReplicationHandlers;
    let batch: CommittedEntry[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      this.proposalsInFlight = Math.max(0, this.proposalsInFlight - batch.filter((e) => e.data.length > 0).length);
      const ready = batch;
      batch = [];
      await handlers.apply(ready);
    };
    for (const e of entries) {
      if (e.type === EntryType.EntryConfChange) {
        await flush();
        const change = decodeConfChange(e.data);
        const confState = this.node.applyConfChange(change);
        this.options.onConfChange(change, e.index > this.startApplied, confState);
        batch.push({ index: e.index, term: e.term, data: Buffer.alloc(0) });
        await flush();
        this.confWaiters.get(change.id)?.();
        this.confWaiters.delete(change.id);
      } else {
        batch.push({ index: e.index, term: e.term, data: sameBytes(e.data) });
      }
    }
    await flush();
    this.appliedIndex = entries[entries.length - 1].index;
  }
}
