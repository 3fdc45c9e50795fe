// The replication log of a raft cluster: a RawNode driven by a tick timer, fed by peer messages,
// and one loop that handles each Ready in etcd's order (server/etcdserver/raft.go): install a
// snapshot from the leader, then entries and hard state in one WAL save (one fdatasync), then send
// messages (a leader sends them first), then apply committed entries, then advance. Raft's entries
// live in a MemoryStorage rebuilt from the newest raft snapshot and the WAL after it, as etcd pairs
// MemoryStorage with its WAL. Every --snapshot-count applied entries the member takes a raft
// snapshot (the store is the state; the snapshot records where it stands), keeps the last
// catch-up entries in memory for slow followers and releases older WAL segments.
import { randomInt } from 'node:crypto';
import {
  ConfChange,
  Snapshot,
  encodeConfState,
  encodeSnapshot,
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
import type { Entry as WalEntry, HardState as WalHardState, SnapshotFile } from '../wal';
import type { Logger } from '../log';
import { ServerError } from './errors';
import type { CommittedEntry, ReplicationHandlers, ReplicationLog, ReplicationStatus } from './replication-log';

const afterDurable = new Set([MessageType.MsgAppResp, MessageType.MsgVoteResp, MessageType.MsgPreVoteResp]);

/** Where raft messages go: the peer transport. */
export interface PeerNetwork {
  send(messages: Message[]): void;
}

/** The member's raft storage on disk: the WAL and the raft snapshot files (src/wal's MemberStorage). */
export interface RaftDisk {
  save(hardState: WalHardState | undefined, entries: readonly WalEntry[]): Promise<void>;
  /** Writes the snapshot file, then its WAL marker. */
  saveSnapshot(snapshot: SnapshotFile, confState?: Uint8Array): Promise<void>;
  /** Drops WAL segments before `index` (a saved snapshot's) and old snapshot files. */
  release(index: number): Promise<void>;
  close(): Promise<void>;
}

/** The store's side of raft snapshots. */
export interface SnapshotHooks {
  /** Makes everything applied so far durable: raft then drops the log behind it. */
  flush(): Promise<void>;
  /** Streams the store's image, read at the call, with this MsgSnap (whose snapshot is at the applied index) to its follower; rejects when the follower did not take it. */
  send(message: Message): Promise<void>;
  /** Replaces the store with the image received with this snapshot; resolves with the store's applied index. */
  restore(snapshot: Snapshot): Promise<number>;
}

/** etcd's SnapshotCatchUpEntries: entries kept behind a snapshot so a slow follower need not get one. */
export const defaultCatchUpEntries = 5000;

export interface RaftLogOptions {
  memberId: bigint;
  disk: RaftDisk;
  /** What the disk held at open: the newest raft snapshot, the hard state and the entries after the snapshot (none for a new member). */
  snapshot?: Snapshot;
  hardState: WalHardState;
  walEntries: WalEntry[];
  /** --snapshot-count: applied entries between two raft snapshots. */
  snapshotCount: number;
  /** entries kept in memory behind a snapshot (default 5000) */
  catchUpEntries?: number;
  snapshots: SnapshotHooks;
  /** A brand-new cluster's initial members (raft's bootstrap); absent on restart and for `existing`. */
  bootstrapPeers?: Peer[];
  heartbeatMs: number;
  electionMs: number;
  network: PeerNetwork;
  /** A committed conf change; `fresh` is false when the store already applied it (replay after restart). */
  onConfChange(change: ConfChange, fresh: boolean, confState: ConfState): void;
  /** The known leader changed (0n: none). */
  onLeaderChange?(leader: bigint): void;
  /** Counts read-index rounds that went wrong, as etcd's metrics do. */
  readIndexes?: ReadIndexObserver;
  logger: Logger;
}

/** etcd's ReqTimeout: 5 s plus two election timeouts. */
export function requestTimeoutMs(electionMs: number): number {
  return 5000 + 2 * electionMs;
}

/**
 * etcd's read-index counters: `slow` for a round that timed out or whose answer came when no read
 * waited for it any more, `failed` for a round lost to a leader change.
 */
export interface ReadIndexObserver {
  slow(): void;
  failed(): void;
}

interface PendingRead {
  resolve(index: number): void;
  reject(err: Error): void;
}

/** One raft ReadIndex request and the reads it serves. */
interface ReadRound {
  reads: PendingRead[];
  timer: NodeJS.Timeout;
}

/** Resolves after the immediates queued so far: the transport writes messages in one of those. */
function afterPendingWrites(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  private readsSent = new Map<string, ReadRound>();
  private readSeq = 0n;
  private confWaiters = new Map<bigint, (err?: Error) => void>();
  // Conf change proposals that reached the leader while another one was not yet applied: raft would
  // drop them (their proposer would wait out its timeout), so they are held and stepped in turn.
  private heldConfChanges: (() => void)[] = [];
  // Proposals a peer forwarded while this member could not take them (it was handing leadership
  // over, or had just lost it): raft drops them without a word and their proposer would time out.
  // They were never appended, so they are stepped again, in order, until raft takes them.
  private heldProposals: { message: Message; until: number }[] = [];
  private appliedIndex = 0;
  /** the index of the newest raft snapshot, taken here or received */
  private snapshotIndex = 0;
  /** a raft snapshot being taken (the loop goes on meanwhile) */
  private snapshotting: Promise<void> | undefined;
  /** the store's applied index at start or after a received snapshot: conf changes up to it are in the store already */
  private startApplied = 0;
  private caughtUp: (() => void) | undefined;
  private elected: (() => void) | undefined;
  private restoredCommit: number;
  private proposalsInFlight = 0;

  constructor(options: RaftLogOptions) {
    this.options = options;
    this.storage = new MemoryStorage();
    if (options.snapshot !== undefined) {
      this.storage.applySnapshot(options.snapshot);
      this.snapshotIndex = options.snapshot.metadata.index;
      this.appliedIndex = this.snapshotIndex;
    }
    if (options.walEntries.length > 0) this.storage.append(options.walEntries.map((e) => ({ ...e, data: sameBytes(e.data) })));
    // A crash between a received snapshot's marker and the hard state after it leaves the commit behind the snapshot.
    const commit = Math.max(options.hardState.commit, this.snapshotIndex);
    this.storage.setHardState({ ...options.hardState, commit });
    this.restoredCommit = commit;
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
    // A member without committed entries past its snapshot (one that joins an existing cluster) has nothing to replay.
    if (this.restoredCommit <= this.appliedIndex) this.finishReplay();
    this.loop = this.run();
    this.ticker = setInterval(() => {
      this.node.tick();
      this.retryHeldProposals();
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
        if (message.type === MessageType.MsgProp && err.code === 'proposal-dropped') this.holdProposal(message);
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

  /**
   * Linearizable reads share one raft ReadIndex round per event-loop turn. A round fails with
   * "request timed out" after the request timeout, and with "leader changed" when a new leader is
   * elected before it is answered (its request may be lost with the old leader), as etcd's do.
   */
  readIndex(): Promise<number> {
    this.checkUsable();
    return new Promise<number>((resolve, reject) => {
      this.readsQueued.push({ resolve, reject });
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

  // Read from raft's fields rather than RawNode.status(), which copies the progress of every peer
  // and the configuration: these run for every response header and every Ready.
  status(): ReplicationStatus {
    const raft = this.node.raft;
    return { leader: this.leader, term: raft.term, commitIndex: raft.raftLog.committed, isLearner: raft.isLearner };
  }

  /** The leader's view of a member's log (undefined when this member is not the leader). */
  progress(id: bigint): { match: number } | undefined {
    return this.node.status().progress.get(id);
  }

  lastIndex(): number {
    return this.storage.lastIndex();
  }

  isLeader(): boolean {
    return this.node.raft.state === StateType.StateLeader;
  }

  pending(): number {
    return this.proposalsInFlight;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    await this.handOverHeldProposals();
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.kick();
    await this.loop;
    await this.snapshotting;
    const stopped = new ServerError('stopped');
    for (const read of this.readsQueued) read.reject(stopped);
    this.readsQueued = [];
    for (const key of [...this.readsSent.keys()]) this.endRound(key, stopped);
    for (const done of this.confWaiters.values()) done(stopped);
    await this.options.disk.close();
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
    const reads = this.readsQueued;
    this.readsQueued = [];
    const ctx = Buffer.alloc(8);
    ctx.writeBigUInt64BE(++this.readSeq);
    const key = ctx.toString('hex');
    const timer = setTimeout(() => {
      this.options.readIndexes?.slow();
      this.endRound(key, new ServerError('timeout'));
    }, requestTimeoutMs(this.options.electionMs));
    this.readsSent.set(key, { reads, timer });
    this.node.readIndex(ctx);
    this.kick();
  }

  /** Settles a round's reads: with the read index, or with the error. */
  private endRound(key: string, outcome: number | Error): void {
    const round = this.readsSent.get(key);
    if (round === undefined) return;
    this.readsSent.delete(key);
    clearTimeout(round.timer);
    for (const read of round.reads) {
      if (typeof outcome === 'number') read.resolve(outcome);
      else read.reject(outcome);
    }
  }

  /** A new leader: the rounds not answered yet fail, as etcd's read loop fails them. */
  private failSentReads(): void {
    for (const key of [...this.readsSent.keys()]) {
      this.options.readIndexes?.failed();
      this.endRound(key, new ServerError('leader-changed'));
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
    for (const rs of rd.readStates) {
      const key = Buffer.from(rs.requestCtx).toString('hex');
      // An answer to a round that already ended (timed out, or failed at a leader change): etcd counts it slow.
      if (!this.readsSent.has(key)) this.options.readIndexes?.slow();
      this.endRound(key, rs.index);
    }
    if (rd.softState !== undefined && rd.softState.lead !== this.leader) {
      const newLeader = rd.softState.lead !== 0n;
      this.leader = rd.softState.lead;
      this.options.onLeaderChange?.(this.leader);
      if (this.leader === this.options.memberId) this.elected?.();
      if (newLeader) this.failSentReads();
    }
    // A snapshot goes on a connection of its own with the store's image (etcd's snapshot sender).
    const messages = rd.messages.filter((m) => m.type !== MessageType.MsgSnap);
    for (const m of rd.messages) if (m.type === MessageType.MsgSnap) this.sendSnapshot(m);
    // The leader sends before its own disk write so followers persist in parallel with it (raft thesis
    // 10.2.1, as etcd does); its own ack counts toward commit only at advance(), after the write. An
    // ack or vote answer always waits for the state it vouches for to be durable.
    const sendFirst = this.isLeader() && !messages.some((m) => afterDurable.has(m.type));
    if (sendFirst && messages.length > 0) this.options.network.send(messages);
    if (rd.snapshot !== undefined) await this.installSnapshot(rd.snapshot);
    if (rd.hardState !== undefined || rd.entries.length > 0) {
      await this.options.disk.save(rd.hardState, rd.entries);
      if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
      this.storage.append(rd.entries);
    }
    if (!sendFirst && messages.length > 0) this.options.network.send(messages);
    if (rd.committedEntries.length > 0) {
      // The transport writes messages in the event loop's check phase: let those someone waits on
      // leave before the apply, not after it: a leader's new commit index (a follower waits for it
      // to answer its client) and a follower's acks of new entries (the leader waits for them to
      // commit). A follower's other messages (acks of a commit index) can wait: its own client's
      // answer, written by the apply, goes first.
      if (messages.length > 0 && (this.isLeader() || rd.entries.length > 0)) await afterPendingWrites();
      await this.applyCommitted(rd.committedEntries);
    }
    this.node.advance();
    if (this.appliedIndex >= this.restoredCommit) this.finishReplay();
    if (this.heldConfChanges.length > 0 && !this.confChangePending()) this.heldConfChanges.shift()?.();
    this.retryHeldProposals();
    if (this.snapshotting === undefined && this.appliedIndex - this.snapshotIndex > this.options.snapshotCount) {
      this.snapshotting = this.takeSnapshot()
        .catch((err: unknown) => {
          this.failed = err instanceof Error ? err : new Error(String(err));
          this.options.logger.error({ err: this.failed.message }, 'saving a raft snapshot failed');
          this.handlers?.fatal(this.failed);
          this.kick();
        })
        .finally(() => {
          this.snapshotting = undefined;
        });
    }
  }

  /**
   * The leader's snapshot for a follower, as etcd's merged snapshot: the store's image read now, with
   * the metadata of the applied index (its term and membership) in place of raft's older snapshot.
   * A member added since that snapshot is then in the membership it restores (raft refuses a
   * snapshot that does not name it). Raft hears how the transfer went.
   */
  private sendSnapshot(m: Message): void {
    this.options.snapshots.send({ ...m, snapshot: this.appliedSnapshot() }).then(
      () => 'finish' as const,
      (err: unknown) => {
        // the transport logs a failed transfer itself, and raft asks again at every append to a down peer
        this.options.logger.debug({ to: m.to.toString(16), err: err instanceof Error ? err.message : String(err) }, 'failed to send a snapshot');
        return 'failure' as const;
      },
    ).then((status) => {
      if (this.stopped) return;
      this.node.reportSnapshot(m.to, status);
      this.kick();
    });
  }

  /** A raft snapshot (no data: the store is the state) at the applied index, with its term and the membership as applied. */
  private appliedSnapshot(): Snapshot {
    const index = this.appliedIndex;
    return { data: new Uint8Array(0), metadata: { index, term: this.storage.term(index), confState: this.node.status().config } };
  }

  /**
   * A snapshot from the leader: the store takes the image first (durably), then the snapshot file
   * and its WAL marker are written, so a marker never names a state the store does not hold.
   */
  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    await this.snapshotting;
    const { index, term } = snapshot.metadata;
    const storeApplied = await this.options.snapshots.restore(snapshot);
    await this.options.disk.saveSnapshot({ index, term, data: encodeSnapshot(snapshot) }, encodeConfState(snapshot.metadata.confState));
    this.storage.applySnapshot(snapshot);
    this.snapshotIndex = index;
    this.appliedIndex = index;
    this.startApplied = Math.max(storeApplied, index);
    this.options.logger.info({ index, term, 'store-applied-index': storeApplied }, 'applied a snapshot from the leader');
  }

  /**
   * etcd's triggerSnapshot, beside the loop: once the store is on disk up to the applied index, a
   * raft snapshot there lets raft forget the log behind it (keeping catch-up entries) and the WAL
   * drop its old segments. The WAL queues the marker after whatever the loop saves meanwhile.
   */
  private async takeSnapshot(): Promise<void> {
    const snapshot = this.appliedSnapshot();
    const { index, term, confState } = snapshot.metadata;
    await this.options.snapshots.flush();
    await this.options.disk.saveSnapshot({ index, term, data: encodeSnapshot(snapshot) }, encodeConfState(confState));
    if (this.stopped || index <= this.storage.snapshot().metadata.index) return;
    this.storage.createSnapshot(index, { confState, data: snapshot.data });
    this.snapshotIndex = index;
    const compactTo = index - (this.options.catchUpEntries ?? defaultCatchUpEntries);
    if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo);
    await this.options.disk.release(index);
    this.options.logger.info({ index, term, 'first-kept-index': this.storage.firstIndex() }, 'saved a snapshot and compacted the raft log');
  }

  /**
   * Proposals held here (forwarded while this member was handing leadership over) go to the leader
   * before the member stops, waiting at most an election timeout to learn who leads; dropped, their
   * proposers would wait out their request timeout. The loop then sends them.
   */
  private async handOverHeldProposals(): Promise<void> {
    if (this.heldProposals.length === 0) return;
    const deadline = Date.now() + this.options.electionMs;
    while ((this.heldProposals.length > 0 || this.node.hasReady()) && !this.failed && Date.now() < deadline) {
      this.retryHeldProposals();
      this.kick();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private holdProposal(message: Message): void {
    this.heldProposals.push({ message, until: Date.now() + requestTimeoutMs(this.options.electionMs) });
  }

  /** Steps held proposals again once this member leads (transfer over) or knows a leader to forward to. */
  private retryHeldProposals(): void {
    if (this.heldProposals.length === 0) return;
    const raft = this.node.raft;
    const canTake = raft.lead !== 0n && !(this.isLeader() && raft.leadTransferee !== 0n);
    const now = Date.now();
    const held = this.heldProposals;
    this.heldProposals = [];
    for (const h of held) {
      if (h.until < now) continue; // its proposer has timed out by now
      if (!canTake) {
        this.heldProposals.push(h);
        continue;
      }
      try {
        this.node.step(h.message);
      } catch (err) {
        if (!(err instanceof RaftError)) throw err;
        this.heldProposals.push(h);
      }
    }
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
