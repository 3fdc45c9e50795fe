// The face of raft for the application: feed it ticks, messages and proposals; take a
// Ready, act on it (persist snapshot, entries and hard state; then send messages; apply
// committed entries), then call advance(). Nothing leaves raft any other way.
import {
  ConfChange,
  ConfChangeType,
  ConfChangeV2,
  ConfState,
  Entry,
  EntryType,
  HardState,
  Message,
  MessageType,
  None,
  Snapshot,
  confChangeAsV2,
  emptyHardState,
  hardStateEqual,
  isEmptyHardState,
  isLocalMsg,
  isResponseMsg,
  newEntry,
  newMessage,
} from './raftpb';
import { Config } from './config';
import { Raft, ReadState, SoftState, StateType, confChangeToMsg } from './raft';
import { RaftError } from './errors';
import { encodeConfChange, entriesSize, payloadsSize } from './codec';
import { ProgressState } from './tracker';

export interface Ready {
  /** Changed lead or role; absent when unchanged. */
  softState?: SoftState;
  /** Changed term, vote or commit, to persist; absent when unchanged. */
  hardState?: HardState;
  /** Entries to append to stable storage before sending messages. */
  entries: Entry[];
  /** A snapshot from the leader to persist (before entries). */
  snapshot?: Snapshot;
  /** To send once entries, hard state and snapshot are durable. */
  messages: Message[];
  /** Entries to apply, in order (already covered by entries of this Ready if unstable). */
  committedEntries: Entry[];
  /** Read points released in this Ready. */
  readStates: ReadState[];
  /** Whether the hard state and entries must be synced to disk (fsync) before messages leave. */
  mustSync: boolean;
}

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  isLearner: boolean;
  recentActive: boolean;
  pendingSnapshot: number;
  inflight: number;
}

export interface Status {
  id: bigint;
  term: number;
  vote: bigint;
  commit: number;
  lead: bigint;
  raftState: StateType;
  applied: number;
  /** Per member, the leader's view of its log; only on the leader. */
  progress: Map<bigint, ProgressStatus>;
  leadTransferee: bigint;
  config: ConfState;
}

/** A member of the initial configuration, with the context its ConfChange carries. */
export interface Peer {
  id: bigint;
  context?: Uint8Array;
}

export type SnapshotStatus = 'finish' | 'failure';

interface Accepted {
  lastEntry?: { index: number; term: number };
  snapshot?: Snapshot;
  lastCommitted?: { index: number; size: number; payload: number };
  selfMsgs: Message[];
}

export class RawNode {
  readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  private accepted: Accepted | undefined;

  constructor(config: Config) {
    this.raft = new Raft(config);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  /**
   * Starts a brand-new group: the peers' AddNode changes become entries 1..n of term 1,
   * committed and applied to the config at once. The first Ready carries them (and
   * the hard state) to persist and to apply. Storage must be empty.
   */
  bootstrap(peers: Peer[]): void {
    if (peers.length === 0) throw new RaftError('invalid-config', 'raft: must provide at least one peer to Bootstrap');
    if (this.raft.raftLog.storage.lastIndex() !== 0) throw new RaftError('invalid-config', "raft: can't bootstrap a nonempty Storage");
    this.prevHardState = emptyHardState();
    this.raft.becomeFollower(1, None);
    const ents = peers.map((p, i) =>
      newEntry({
        type: EntryType.EntryConfChange,
        term: 1,
        index: i + 1,
        data: encodeConfChange({ id: 0n, type: ConfChangeType.ConfChangeAddNode, nodeId: p.id, context: p.context ?? new Uint8Array(0) }),
      }),
    );
    this.raft.raftLog.append(ents);
    this.raft.raftLog.committed = ents.length;
    for (const p of peers) {
      this.raft.applyConfChange(confChangeAsV2({ id: 0n, type: ConfChangeType.ConfChangeAddNode, nodeId: p.id, context: new Uint8Array(0) }));
    }
  }

  /** One logical clock unit. */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (as a pre-candidate when PreVote is on). */
  campaign(): void {
    this.raft.step(newMessage({ type: MessageType.MsgHup }));
  }

  /** Proposes data for the log. Throws RaftError 'proposal-dropped' when it cannot go anywhere. */
  propose(data: Uint8Array): void {
    this.raft.step(newMessage({ type: MessageType.MsgProp, from: this.raft.id, entries: [newEntry({ data })] }));
  }

  proposeConfChange(cc: ConfChange | ConfChangeV2): void {
    this.raft.step(confChangeToMsg(cc));
  }

  /** Applies a committed conf change entry to the config; returns the new ConfState to save with snapshots. */
  applyConfChange(cc: ConfChange | ConfChangeV2): ConfState {
    return this.raft.applyConfChange(confChangeAsV2(cc));
  }

  /** Steps a message received from a peer. */
  step(m: Message): void {
    if (isLocalMsg(m.type)) throw new RaftError('step-local-msg', 'raft: cannot step raft local message');
    if (isResponseMsg(m.type) && !this.raft.trk.progress.has(m.from)) {
      throw new RaftError('step-peer-not-found', 'raft: cannot step as peer not found');
    }
    this.raft.step(m);
  }

  /**
   * Requests a linearizable read point. The matching ReadState (same ctx) appears in a
   * later Ready; serve the read once applied >= its index. Dropped silently with no leader.
   */
  readIndex(ctx: Uint8Array): void {
    this.raft.step(newMessage({ type: MessageType.MsgReadIndex, entries: [newEntry({ data: ctx })] }));
  }

  /** Asks the leader to hand leadership to `transferee` (once it has caught up). */
  transferLeader(transferee: bigint): void {
    this.raft.step(newMessage({ type: MessageType.MsgTransferLeader, from: transferee }));
  }

  /** Forget the current leader (a follower stops redirecting to it until it hears from one). */
  forgetLeader(): void {
    this.raft.step(newMessage({ type: MessageType.MsgForgetLeader }));
  }

  /** The transport could not reach `id`: stop optimistic replication to it. */
  reportUnreachable(id: bigint): void {
    this.raft.step(newMessage({ type: MessageType.MsgUnreachable, from: id }));
  }

  /** Outcome of sending a snapshot to `id`. */
  reportSnapshot(id: bigint, status: SnapshotStatus): void {
    this.raft.step(newMessage({ type: MessageType.MsgSnapStatus, from: id, reject: status === 'failure' }));
  }

  hasReady(): boolean {
    const r = this.raft;
    r.flushProposals();
    const ss = r.softState();
    if (ss.lead !== this.prevSoftState.lead || ss.raftState !== this.prevSoftState.raftState) return true;
    const hs = r.hardState();
    if (!isEmptyHardState(hs) && !hardStateEqual(hs, this.prevHardState)) return true;
    if (r.raftLog.nextUnstableSnapshot() !== undefined) return true;
    if (r.msgs.length > 0 || r.msgsAfterAppend.length > 0) return true;
    if (r.raftLog.hasNextUnstableEnts() || r.raftLog.hasNextCommittedEnts()) return true;
    return r.readStates.length > 0;
  }

  /**
   * The work to do now. Call advance() after acting on it, before the next ready().
   * Committed entries may include entries of this same Ready: persist first, then apply.
   */
  ready(): Ready {
    if (this.accepted !== undefined) throw new Error('raft: ready() called twice without advance()');
    const r = this.raft;
    r.flushProposals();
    const rd: Ready = {
      entries: r.raftLog.nextUnstableEnts(),
      committedEntries: r.raftLog.nextCommittedEnts(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: false,
    };
    const ss = r.softState();
    if (ss.lead !== this.prevSoftState.lead || ss.raftState !== this.prevSoftState.raftState) {
      rd.softState = ss;
      this.prevSoftState = ss;
    }
    const hs = r.hardState();
    if (!isEmptyHardState(hs) && !hardStateEqual(hs, this.prevHardState)) rd.hardState = hs;
    const snap = r.raftLog.nextUnstableSnapshot();
    if (snap !== undefined) rd.snapshot = snap;
    rd.mustSync = rd.entries.length > 0 || hs.vote !== this.prevHardState.vote || hs.term !== this.prevHardState.term;
    if (rd.hardState !== undefined) this.prevHardState = rd.hardState;

    const selfMsgs: Message[] = [];
    for (const m of r.msgsAfterAppend) {
      if (m.to === r.id) selfMsgs.push(m);
      else rd.messages.push(m);
    }
    const acc: Accepted = { selfMsgs };
    if (r.raftLog.hasNextOrInProgressUnstableEnts()) acc.lastEntry = r.raftLog.lastEntryID();
    if (snap !== undefined) acc.snapshot = snap;
    if (rd.committedEntries.length > 0) {
      const last = rd.committedEntries[rd.committedEntries.length - 1];
      acc.lastCommitted = { index: last.index, size: entriesSize(rd.committedEntries), payload: payloadsSize(rd.committedEntries) };
      r.raftLog.acceptApplying(last.index, acc.lastCommitted.size);
    }
    r.raftLog.acceptUnstable();
    r.msgs = [];
    r.msgsAfterAppend = [];
    r.readStates = [];
    this.accepted = acc;
    return rd;
  }

  /** The last Ready is done: its entries and snapshot are durable and its committed entries applied. */
  advance(): void {
    const acc = this.accepted;
    if (acc === undefined) return;
    this.accepted = undefined;
    const r = this.raft;
    if (acc.lastEntry !== undefined) r.raftLog.stableTo(acc.lastEntry.index, acc.lastEntry.term);
    if (acc.snapshot !== undefined) r.appliedSnap(acc.snapshot);
    for (const m of acc.selfMsgs) r.step(m);
    if (acc.lastCommitted !== undefined) {
      r.appliedTo(acc.lastCommitted.index, acc.lastCommitted.size);
      r.reduceUncommittedSize(acc.lastCommitted.payload);
    }
  }

  status(): Status {
    const r = this.raft;
    const progress = new Map<bigint, ProgressStatus>();
    if (r.state === StateType.StateLeader) {
      r.trk.visit((id, pr) => {
        progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          isLearner: pr.isLearner,
          recentActive: pr.recentActive,
          pendingSnapshot: pr.pendingSnapshot,
          inflight: pr.inflights.countInflight(),
        });
      });
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.raftLog.committed,
      lead: r.lead,
      raftState: r.state,
      applied: r.raftLog.applied,
      progress,
      leadTransferee: r.leadTransferee,
      config: r.trk.confState(),
    };
  }
}
