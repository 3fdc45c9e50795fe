// The raft state machine of one member. The message term is dealt with once, at the top
// of step(); then the step function of the current role runs. A role changes only through
// a become* function, which also swaps the tick function. Nothing here does I/O: output
// accumulates in msgs / msgsAfterAppend / readStates and leaves through RawNode.ready().
import {
  ConfChange,
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
  entersJoint,
  isEmptyHardState,
  leavesJoint,
  newEntry,
  newMessage,
  voteRespMsgType,
} from './raftpb';
import { decodeConfChange, decodeConfChangeV2, encodeConfChange, encodeConfChangeV2, payloadsSize } from './codec';
import { RaftLog } from './raft-log';
import { Config, Logger, ValidConfig, validateConfig } from './config';
import { Progress, ProgressState, ProgressTracker, TrackerConfig, ProgressMap } from './tracker';
import { VoteResult } from './quorum';
import { ReadOnly, ReadOnlyOption } from './read-only';
import { ChangeResult, enterJoint, leaveJoint, restoreConfState, simpleChange, describeChanges } from './confchange';
import { errProposalDropped, isRaftError } from './errors';

export enum StateType {
  StateFollower = 0,
  StateCandidate = 1,
  StateLeader = 2,
  StatePreCandidate = 3,
}

export interface SoftState {
  lead: bigint;
  raftState: StateType;
}

/** A linearizable read point: once applied >= index, the read with this context may be served. */
export interface ReadState {
  index: number;
  requestCtx: Uint8Array;
}

enum CampaignType {
  PreElection = 'CampaignPreElection',
  Election = 'CampaignElection',
  Transfer = 'CampaignTransfer',
}

const TRANSFER_CTX = new TextEncoder().encode(CampaignType.Transfer);

function isTransferCtx(ctx: Uint8Array): boolean {
  if (ctx.length !== TRANSFER_CTX.length) return false;
  for (let i = 0; i < ctx.length; i++) if (ctx[i] !== TRANSFER_CTX[i]) return false;
  return true;
}

export class Raft {
  readonly id: bigint;
  term = 0;
  vote: bigint = None;
  readStates: ReadState[] = [];
  readonly raftLog: RaftLog;
  trk: ProgressTracker;
  state: StateType = StateType.StateFollower;
  isLearner = false;
  /** Messages to other members that may leave at once. */
  msgs: Message[] = [];
  /**
   * Responses that may leave only after the unstable state they vouch for (entries,
   * term, vote) is durable: MsgAppResp, MsgVoteResp, MsgPreVoteResp. Some target this
   * member itself (the leader's own append ack, a candidate's own vote).
   */
  msgsAfterAppend: Message[] = [];
  lead: bigint = None;
  /** The member leadership is being handed to, or None (Raft thesis 3.10). */
  leadTransferee: bigint = None;
  /** Index of the latest conf change in the log; a new one waits until applied passes it. */
  pendingConfIndex = 0;
  /** Estimated payload bytes of the uncommitted tail (leader only). */
  uncommittedSize = 0;
  readOnly: ReadOnly;
  /** Ticks since the last election timeout (or, for a follower, since hearing from the leader). */
  electionElapsed = 0;
  /** Ticks since the last heartbeat (leader only). */
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = [];
  /**
   * Proposals appended since the last broadcast. They go out together when the
   * application next looks for a Ready (flushProposals), so the proposals of one
   * event-loop turn share one append message per follower.
   */
  private proposalsToSend = false;

  private readonly cfg: ValidConfig;
  private readonly logger: Logger | undefined;
  private tickFn: () => void = () => {};
  private stepFn: (m: Message) => void = () => {};

  constructor(config: Config) {
    const c = validateConfig(config);
    this.cfg = c;
    this.id = c.id;
    this.logger = c.logger;
    this.raftLog = new RaftLog(c.storage, c.maxCommittedSizePerReady);
    const { hardState, confState } = c.storage.initialState();
    this.trk = new ProgressTracker(c.maxInflightMsgs, c.maxInflightBytes);
    this.readOnly = new ReadOnly(c.readOnlyOption);
    const res = restoreConfState({ tracker: this.trk, lastIndex: this.raftLog.lastIndex() }, confState);
    this.switchToConfig(res);
    if (!isEmptyHardState(hardState)) this.loadState(hardState);
    if (c.applied > 0) this.raftLog.appliedTo(c.applied, 0);
    this.becomeFollower(this.term, None);
    this.logger?.info(
      `newRaft ${this.id.toString(16)} [peers: [${this.trk.voterNodes().map((n) => n.toString(16)).join(',')}], term: ${this.term}, commit: ${this.raftLog.committed}, applied: ${this.raftLog.applied}, lastindex: ${this.raftLog.lastIndex()}]`,
    );
  }

  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  tick(): void {
    this.tickFn();
  }

  // ---- sending ----

  /**
   * Queues m. Vote requests and responses carry their own term; everything else but
   * proposals and read requests (which are forwarded as they are) gets the current term.
   */
  send(m: Message): void {
    if (m.from === None) m.from = this.id;
    const t = m.type;
    if (t === MessageType.MsgVote || t === MessageType.MsgVoteResp || t === MessageType.MsgPreVote || t === MessageType.MsgPreVoteResp) {
      if (m.term === 0) throw new Error(`raft: term should be set when sending ${MessageType[t]}`);
    } else {
      if (m.term !== 0) throw new Error(`raft: term should not be set when sending ${MessageType[t]} (was ${m.term})`);
      if (t !== MessageType.MsgProp && t !== MessageType.MsgReadIndex) m.term = this.term;
    }
    if (t === MessageType.MsgAppResp || t === MessageType.MsgVoteResp || t === MessageType.MsgPreVoteResp) {
      // Acknowledging entries or casting a vote is only safe once the state behind it is
      // durable (Raft thesis 3.8), even for rejections, to stay on the safe side.
      this.msgsAfterAppend.push(m);
    } else {
      if (m.to === this.id) throw new Error(`raft: message should not be self-addressed when sending ${MessageType[t]}`);
      this.msgs.push(m);
    }
  }

  sendAppend(to: bigint): void {
    this.maybeSendAppend(to, true);
  }

  /**
   * Sends an append with the entries the follower lacks (and the commit index). With
   * sendIfEmpty false, sends only if there are entries. Returns whether a message went out.
   */
  maybeSendAppend(to: bigint, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.term(prevIndex);
    if (prevTerm === undefined) return this.maybeSendSnapshot(to, pr);
    let ents: Entry[] = [];
    // A throttled replicate stream sends only empty appends, so a window full of lost
    // messages still gets a response that frees it.
    if (pr.state !== ProgressState.StateReplicate || !pr.inflights.full()) {
      try {
        ents = this.raftLog.entries(pr.next, this.cfg.maxSizePerMsg);
      } catch (err) {
        if (isRaftError(err, 'compacted')) return this.maybeSendSnapshot(to, pr);
        throw err;
      }
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send(
      newMessage({ type: MessageType.MsgApp, to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.raftLog.committed }),
    );
    pr.sentEntries(ents.length, payloadsSize(ents));
    pr.recordSentCommit(this.raftLog.committed);
    return true;
  }

  private maybeSendSnapshot(to: bigint, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    let snapshot: Snapshot;
    try {
      snapshot = this.raftLog.snapshot();
    } catch (err) {
      if (isRaftError(err, 'snapshot-temporarily-unavailable')) return false;
      throw err;
    }
    if (snapshot.metadata.index === 0) throw new Error('raft: need non-empty snapshot');
    pr.becomeSnapshot(snapshot.metadata.index);
    this.send(newMessage({ type: MessageType.MsgSnap, to, snapshot }));
    return true;
  }

  private sendHeartbeat(to: bigint, ctx: Uint8Array): void {
    const pr = this.trk.progress.get(to)!;
    // Never tell a follower to commit past what it is known to hold.
    const commit = Math.min(pr.match, this.raftLog.committed);
    this.send(newMessage({ type: MessageType.MsgHeartbeat, to, commit, context: ctx }));
    pr.recordSentCommit(commit);
  }

  bcastAppend(): void {
    this.trk.visit((id) => {
      if (id !== this.id) this.sendAppend(id);
    });
  }

  bcastHeartbeat(): void {
    const ctx = this.readOnly.heartbeatCtx();
    this.trk.visit((id) => {
      if (id !== this.id) this.sendHeartbeat(id, ctx);
    });
  }

  // ---- applying ----

  appliedTo(index: number, size: number): void {
    const newApplied = Math.max(index, this.raftLog.applied);
    this.raftLog.appliedTo(newApplied, size);
    this.maybeAutoLeave();
  }

  /**
   * Once the joint config this leader entered (with autoLeave) is applied, propose
   * leaving it. An empty ConfChangeV2 is never refused for size, but a leader transfer
   * refuses it. etcd retries only when a later entry applies; we also retry on the
   * heartbeat tick, so an idle group does not stay joint forever.
   */
  private maybeAutoLeave(): void {
    if (!this.trk.config.autoLeave || this.state !== StateType.StateLeader) return;
    if (this.raftLog.applied < this.pendingConfIndex || this.leadTransferee !== None) return;
    try {
      this.step(confChangeToMsg(undefined));
      this.logger?.info(`initiating automatic transition out of joint configuration ${this.trk.config}`);
    } catch (err) {
      if (!isRaftError(err, 'proposal-dropped')) throw err;
    }
  }

  appliedSnap(snap: Snapshot): void {
    const index = snap.metadata.index;
    this.raftLog.stableSnapTo(index);
    this.appliedTo(index, 0);
  }

  reduceUncommittedSize(s: number): void {
    this.uncommittedSize = s > this.uncommittedSize ? 0 : this.uncommittedSize - s;
  }

  /** Advances the commit index to what a quorum holds, if that entry is of this term (§5.4.2). */
  maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.trk.committed(), this.term);
  }

  // ---- role changes ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = None;
    }
    this.lead = None;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const last = this.raftLog.lastIndex();
    this.trk.visit((id, pr) => {
      pr.match = id === this.id ? last : 0;
      pr.next = last + 1;
      pr.sentCommit = 0;
      pr.state = ProgressState.StateProbe;
      pr.pendingSnapshot = 0;
      pr.recentActive = false;
      pr.msgAppFlowPaused = false;
      pr.inflights.reset();
    });
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.proposalsToSend = false;
    this.readOnly = new ReadOnly(this.readOnly.option);
    // Reads held for a term we are leaving are dropped; their callers retry.
    this.pendingReadIndexMessages = [];
  }

  becomeFollower(term: number, lead: bigint): void {
    this.stepFn = this.stepFollower;
    this.reset(term);
    this.tickFn = this.tickElection;
    this.lead = lead;
    this.state = StateType.StateFollower;
    this.logger?.info(`${this.id.toString(16)} became follower at term ${this.term}`);
  }

  becomeCandidate(): void {
    if (this.state === StateType.StateLeader) throw new Error('raft: invalid transition [leader -> candidate]');
    this.stepFn = this.stepCandidate;
    this.reset(this.term + 1);
    this.tickFn = this.tickElection;
    this.vote = this.id;
    this.state = StateType.StateCandidate;
    this.logger?.info(`${this.id.toString(16)} became candidate at term ${this.term}`);
  }

  /** A pre-candidate keeps its term and vote: the pre-vote round changes nothing durable. */
  becomePreCandidate(): void {
    if (this.state === StateType.StateLeader) throw new Error('raft: invalid transition [leader -> pre-candidate]');
    this.stepFn = this.stepCandidate;
    this.trk.resetVotes();
    this.tickFn = this.tickElection;
    this.lead = None;
    this.state = StateType.StatePreCandidate;
    this.logger?.info(`${this.id.toString(16)} became pre-candidate at term ${this.term}`);
  }

  becomeLeader(): void {
    if (this.state === StateType.StateFollower) throw new Error('raft: invalid transition [follower -> leader]');
    this.stepFn = this.stepLeader;
    this.reset(this.term);
    this.tickFn = this.tickHeartbeat;
    this.lead = this.id;
    this.state = StateType.StateLeader;
    const pr = this.trk.progress.get(this.id);
    if (pr !== undefined) {
      pr.becomeReplicate();
      pr.recentActive = true;
    }
    // Any conf change in the uncommitted tail must apply before a new one is accepted;
    // waiting for the whole tail is simpler than scanning it.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // The empty entry of the new term: committing it commits everything before it.
    if (!this.appendEntry([newEntry({})])) throw new Error('raft: empty entry was dropped');
    this.logger?.info(`${this.id.toString(16)} became leader at term ${this.term}`);
  }

  private appendEntry(es: Entry[]): boolean {
    const li = this.raftLog.lastIndex();
    const ents: Entry[] = new Array(es.length);
    for (let i = 0; i < es.length; i++) {
      ents[i] = { term: this.term, index: li + 1 + i, type: es[i].type, data: es[i].data };
    }
    if (!this.increaseUncommittedSize(ents)) return false;
    const last = this.raftLog.append(ents);
    // The leader acks its own entries once they are durable, like any follower would.
    this.send(newMessage({ type: MessageType.MsgAppResp, to: this.id, index: last }));
    return true;
  }

  private increaseUncommittedSize(ents: Entry[]): boolean {
    const s = payloadsSize(ents);
    // An empty tail accepts any proposal; empty entries (new term, leave joint) always pass.
    if (this.uncommittedSize > 0 && s > 0 && this.uncommittedSize + s > this.cfg.maxUncommittedEntriesSize) return false;
    this.uncommittedSize += s;
    return true;
  }

  // ---- ticks ----

  private tickElection = (): void => {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.step(newMessage({ type: MessageType.MsgHup, from: this.id }));
    }
  };

  private tickHeartbeat = (): void => {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(newMessage({ type: MessageType.MsgCheckQuorum, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === StateType.StateLeader && this.leadTransferee !== None) this.abortLeaderTransfer();
    }
    if (this.state !== StateType.StateLeader) return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(newMessage({ type: MessageType.MsgBeat, from: this.id }));
      this.maybeAutoLeave();
    }
  };

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.rng(this.cfg.electionTick);
  }

  // ---- elections ----

  /** Whether this member may become leader: a voter with no snapshot pending. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.raftLog.hasNextOrInProgressSnapshot();
  }

  private hup(t: CampaignType): void {
    if (this.state === StateType.StateLeader) return;
    if (!this.promotable()) {
      this.logger?.warn(`${this.id.toString(16)} is unpromotable and can not campaign`);
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.logger?.warn(`${this.id.toString(16)} cannot campaign at term ${this.term} since there are still pending configuration changes to apply`);
      return;
    }
    this.campaign(t);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    let lo = this.raftLog.applied + 1;
    const hi = this.raftLog.committed + 1;
    while (lo < hi) {
      const ents = this.raftLog.slice(lo, hi, this.raftLog.maxApplyingEntsSize);
      for (const e of ents) if (e.type !== EntryType.EntryNormal) return true;
      lo += ents.length;
    }
    return false;
  }

  private campaign(t: CampaignType): void {
    let term: number;
    let voteMsg: MessageType;
    if (t === CampaignType.PreElection) {
      this.becomePreCandidate();
      voteMsg = MessageType.MsgPreVote;
      // Pre-votes ask for the term we would campaign in, without moving to it yet.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteMsg = MessageType.MsgVote;
      term = this.term;
    }
    const last = this.raftLog.lastEntryID();
    for (const id of this.trk.voterNodes()) {
      if (id === this.id) {
        // Our own vote counts once it is durable, like any other.
        this.send(newMessage({ type: voteRespMsgType(voteMsg), to: id, term }));
        continue;
      }
      const m = newMessage({ type: voteMsg, to: id, term, index: last.index, logTerm: last.term });
      if (t === CampaignType.Transfer) m.context = TRANSFER_CTX;
      this.send(m);
    }
  }

  private poll(id: bigint, v: boolean): VoteResult {
    this.trk.recordVote(id, v);
    return this.trk.tallyVotes().result;
  }

  // ---- step ----

  /** Advances the state machine with one message (from a peer or local). */
  step(m: Message): void {
    if (m.term === 0) {
      // local message (or a forwarded proposal / read request)
    } else if (m.term > this.term) {
      if (m.type === MessageType.MsgVote || m.type === MessageType.MsgPreVote) {
        const force = isTransferCtx(m.context);
        const inLease = this.cfg.checkQuorum && this.lead !== None && this.electionElapsed < this.cfg.electionTick;
        if (!force && inLease) {
          // We heard from a leader within the minimum election timeout: this request
          // comes from a member that cannot have a legitimate reason to disrupt it.
          this.logger?.info(
            `${this.id.toString(16)} [term: ${this.term}] ignored ${MessageType[m.type]} from ${m.from.toString(16)} [term: ${m.term}]: lease is not expired (remaining ticks: ${this.cfg.electionTick - this.electionElapsed})`,
          );
          return;
        }
      }
      if (m.type === MessageType.MsgPreVote) {
        // A pre-vote never changes our term.
      } else if (m.type === MessageType.MsgPreVoteResp && !m.reject) {
        // The granted pre-vote carries the term we would campaign at; we move there when
        // a quorum grants it.
      } else if (m.type === MessageType.MsgApp || m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgSnap) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, None);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgApp)) {
        // A stale leader (or one that could not see our higher term because we ignore
        // its votes under CheckQuorum/PreVote): tell it our term so it steps down.
        this.send(newMessage({ type: MessageType.MsgAppResp, to: m.from }));
      } else if (m.type === MessageType.MsgPreVote) {
        // Rejecting (rather than ignoring) keeps a pre-candidate with a lower term from
        // waiting forever.
        this.send(newMessage({ type: MessageType.MsgPreVoteResp, to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case MessageType.MsgHup:
        this.hup(this.cfg.preVote ? CampaignType.PreElection : CampaignType.Election);
        return;
      case MessageType.MsgVote:
      case MessageType.MsgPreVote: {
        // We can vote if this repeats a vote we cast, or we have not voted and know of
        // no leader this term, or it is a pre-vote for a future term...
        const canVote =
          this.vote === m.from ||
          (this.vote === None && this.lead === None) ||
          (m.type === MessageType.MsgPreVote && m.term > this.term);
        // ...and the candidate's log is at least as up to date as ours (§5.4.1).
        const verdict = canVote && this.raftLog.isUpToDate(m.index, m.logTerm);
        this.logger?.info(
          `${this.id.toString(16)} [logterm: ${this.raftLog.lastEntryID().term}, index: ${this.raftLog.lastIndex()}, vote: ${this.vote.toString(16)}] ${verdict ? 'cast' : 'rejected'} ${MessageType[m.type]} for ${m.from.toString(16)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
        );
        if (verdict) {
          // The response carries the request's term: for a pre-vote ours may be lower,
          // and the candidate would ignore a response with a stale term.
          this.send(newMessage({ type: voteRespMsgType(m.type), to: m.from, term: m.term }));
          if (m.type === MessageType.MsgVote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(newMessage({ type: voteRespMsgType(m.type), to: m.from, term: this.term, reject: true }));
        }
        return;
      }
      default:
        this.stepFn(m);
    }
  }

  private stepLeader = (m: Message): void => {
    switch (m.type) {
      case MessageType.MsgBeat:
        this.bcastHeartbeat();
        return;
      case MessageType.MsgCheckQuorum:
        if (!this.trk.quorumActive()) {
          this.logger?.warn(`${this.id.toString(16)} stepped down to follower since quorum is not active`);
          this.becomeFollower(this.term, None);
        }
        // Everyone but us starts the next period as inactive.
        this.trk.visit((id, pr) => {
          if (id !== this.id) pr.recentActive = false;
        });
        return;
      case MessageType.MsgProp:
        this.leaderPropose(m);
        return;
      case MessageType.MsgReadIndex:
        if (this.trk.isSingleton()) {
          this.answerReadIndex(m, this.raftLog.committed);
          return;
        }
        // Until an entry of this term commits, the commit index may lag the previous
        // leader's: hold reads until then.
        if (!this.committedEntryInCurrentTerm()) {
          this.pendingReadIndexMessages.push(m);
          return;
        }
        this.sendReadIndexResponse(m);
        return;
      case MessageType.MsgForgetLeader:
        return;
    }

    const pr = this.trk.progress.get(m.from);
    if (pr === undefined) return;
    switch (m.type) {
      case MessageType.MsgAppResp:
        this.handleAppendResponse(m, pr);
        return;
      case MessageType.MsgHeartbeatResp:
        pr.recentActive = true;
        pr.msgAppFlowPaused = false;
        // Also un-sticks a follower whose whole inflight window was lost.
        if (pr.match < this.raftLog.lastIndex() || pr.state === ProgressState.StateProbe) this.sendAppend(m.from);
        if (this.readOnly.option !== ReadOnlyOption.ReadOnlySafe || m.context.length === 0) return;
        this.readOnly.recvAck(m.from, m.context);
        for (const rs of this.readOnly.maybeAdvance(this.trk.config.voters)) this.answerReadIndex(rs.req, rs.index);
        return;
      case MessageType.MsgSnapStatus:
        if (pr.state !== ProgressState.StateSnapshot) return;
        if (m.reject) pr.pendingSnapshot = 0; // failed: probe from match, not from the snapshot
        pr.becomeProbe();
        // Wait for the follower's MsgAppResp (or the next heartbeat) before sending more.
        pr.msgAppFlowPaused = true;
        return;
      case MessageType.MsgUnreachable:
        // Optimistic appends to an unreachable member were probably lost.
        if (pr.state === ProgressState.StateReplicate) pr.becomeProbe();
        return;
      case MessageType.MsgTransferLeader:
        this.leaderTransfer(m.from, pr);
        return;
    }
  };

  private leaderPropose(m: Message): void {
    if (m.entries.length === 0) throw new Error(`raft: ${this.id.toString(16)} stepped empty MsgProp`);
    // Removed while leading: take no new proposals.
    if (!this.trk.progress.has(this.id)) throw errProposalDropped();
    if (this.leadTransferee !== None) throw errProposalDropped();
    let ents = m.entries;
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i];
      if (e.type === EntryType.EntryNormal) continue;
      const cc = e.type === EntryType.EntryConfChange ? confChangeAsV2(decodeConfChange(e.data)) : decodeConfChangeV2(e.data);
      const alreadyPending = this.pendingConfIndex > this.raftLog.applied;
      const alreadyJoint = this.trk.config.voters[1].size > 0;
      const wantsLeaveJoint = cc.changes.length === 0;
      let failed = '';
      if (alreadyPending) failed = `possible unapplied conf change at index ${this.pendingConfIndex} (applied to ${this.raftLog.applied})`;
      else if (alreadyJoint && !wantsLeaveJoint) failed = 'must transition out of joint config first';
      else if (!alreadyJoint && wantsLeaveJoint) failed = 'not in joint state; refusing empty conf change';
      if (failed !== '' && !this.cfg.disableConfChangeValidation) {
        this.logger?.info(`${this.id.toString(16)} ignoring conf change ${describeChanges(cc.changes)} at config ${this.trk.config}: ${failed}`);
        // The slot stays, as an empty entry, so the proposer sees it committed and unapplied.
        if (ents === m.entries) ents = ents.slice();
        ents[i] = newEntry({});
      } else {
        this.pendingConfIndex = this.raftLog.lastIndex() + i + 1;
      }
    }
    if (!this.appendEntry(ents)) throw errProposalDropped();
    this.proposalsToSend = true;
  }

  /** Sends the appends for proposals made since the last call (see proposalsToSend). */
  flushProposals(): void {
    if (!this.proposalsToSend) return;
    this.proposalsToSend = false;
    if (this.state === StateType.StateLeader) this.bcastAppend();
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      let nextProbeIdx = m.rejectHint;
      if (m.logTerm > 0) {
        // Skip every index where our term is above the follower's term at the hint:
        // none of them can match. At most one probe per term in our log.
        nextProbeIdx = this.raftLog.findConflictByTerm(m.rejectHint, m.logTerm).index;
      }
      if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
        if (pr.state === ProgressState.StateReplicate) pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    // A probing follower that acks its current match goes back to replicating too.
    if (!(pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === ProgressState.StateProbe))) return;
    if (pr.state === ProgressState.StateProbe) {
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.StateSnapshot && pr.match + 1 >= this.raftLog.firstIndex()) {
      // Caught up from the log now, whichever snapshot (if any) got it there.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.StateReplicate) {
      pr.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) {
      // An entry of this term is committed: held reads can be answered now.
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else if (m.from !== this.id && pr.canBumpCommit(this.raftLog.committed)) {
      this.sendAppend(m.from);
    }
    // The window may have room for several messages now.
    if (m.from !== this.id) {
      while (this.maybeSendAppend(m.from, false)) {
        // keep sending while allowed
      }
    }
    if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) {
      this.sendTimeoutNow(m.from);
    }
  }

  private leaderTransfer(transferee: bigint, pr: Progress): void {
    if (pr.isLearner) return;
    if (this.leadTransferee !== None) {
      if (this.leadTransferee === transferee) return;
      this.abortLeaderTransfer();
    }
    if (transferee === this.id) return;
    this.logger?.info(`${this.id.toString(16)} [term ${this.term}] starts to transfer leadership to ${transferee.toString(16)}`);
    // The transfer must finish within an election timeout.
    this.electionElapsed = 0;
    this.leadTransferee = transferee;
    if (pr.match === this.raftLog.lastIndex()) this.sendTimeoutNow(transferee);
    else this.sendAppend(transferee); // catch it up first; MsgTimeoutNow follows its ack
  }

  /** Shared by candidate and pre-candidate; each counts only its own kind of vote response. */
  private stepCandidate = (m: Message): void => {
    const myVoteRespType = this.state === StateType.StatePreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
    switch (m.type) {
      case MessageType.MsgProp:
        throw errProposalDropped();
      case MessageType.MsgApp:
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return;
      case MessageType.MsgHeartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case MessageType.MsgSnap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case myVoteRespType: {
        const res = this.poll(m.from, !m.reject);
        if (res === VoteResult.VoteWon) {
          if (this.state === StateType.StatePreCandidate) {
            this.campaign(CampaignType.Election);
          } else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (res === VoteResult.VoteLost) {
          // A pre-vote response carries a future term; stay at ours.
          this.becomeFollower(this.term, None);
        }
        return;
      }
    }
  };

  private stepFollower = (m: Message): void => {
    switch (m.type) {
      case MessageType.MsgProp:
        if (this.lead === None || this.cfg.disableProposalForwarding) throw errProposalDropped();
        m.to = this.lead;
        this.send(m);
        return;
      case MessageType.MsgApp:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case MessageType.MsgHeartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case MessageType.MsgSnap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case MessageType.MsgTransferLeader:
        if (this.lead === None) return;
        m.to = this.lead;
        this.send(m);
        return;
      case MessageType.MsgForgetLeader:
        if (this.readOnly.option === ReadOnlyOption.ReadOnlyLeaseBased) return;
        this.lead = None;
        return;
      case MessageType.MsgTimeoutNow:
        // Transfers skip pre-vote: the leader itself asked for this election.
        this.hup(CampaignType.Transfer);
        return;
      case MessageType.MsgReadIndex:
        if (this.lead === None) return; // no leader: the read is dropped, the caller retries
        m.to = this.lead;
        this.send(m);
        return;
      case MessageType.MsgReadIndexResp:
        if (m.entries.length !== 1) return;
        this.readStates.push({ index: m.index, requestCtx: m.entries[0].data });
        return;
    }
  };

  // ---- follower handlers ----

  private handleAppendEntries(m: Message): void {
    if (m.index < this.raftLog.committed) {
      this.send(newMessage({ type: MessageType.MsgAppResp, to: m.from, index: this.raftLog.committed }));
      return;
    }
    const last = this.raftLog.maybeAppend(m.index, m.logTerm, m.entries, m.commit);
    if (last !== undefined) {
      this.send(newMessage({ type: MessageType.MsgAppResp, to: m.from, index: last }));
      return;
    }
    // Hint where the logs may match: the largest index <= m.index whose term is <= m.logTerm.
    const hint = this.raftLog.findConflictByTerm(Math.min(m.index, this.raftLog.lastIndex()), m.logTerm);
    this.send(
      newMessage({ type: MessageType.MsgAppResp, to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }),
    );
  }

  private handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    this.send(newMessage({ type: MessageType.MsgHeartbeatResp, to: m.from, context: m.context }));
  }

  private handleSnapshot(m: Message): void {
    const s = m.snapshot;
    if (s !== undefined && this.restore(s)) {
      this.send(newMessage({ type: MessageType.MsgAppResp, to: m.from, index: this.raftLog.lastIndex() }));
    } else {
      this.send(newMessage({ type: MessageType.MsgAppResp, to: m.from, index: this.raftLog.committed }));
    }
  }

  /** Installs a snapshot from the leader; false when it is stale or not for us. */
  restore(s: Snapshot): boolean {
    if (s.metadata.index <= this.raftLog.committed) return false;
    if (this.state !== StateType.StateFollower) {
      // Defence in depth: only a follower restores.
      this.becomeFollower(this.term + 1, None);
      return false;
    }
    const cs = s.metadata.confState;
    const ids = [...cs.voters, ...cs.learners, ...cs.votersOutgoing];
    if (!ids.includes(this.id)) {
      this.logger?.warn(`${this.id.toString(16)} attempted to restore snapshot but it is not in the ConfState`);
      return false;
    }
    if (this.raftLog.matchTerm(s.metadata.index, s.metadata.term)) {
      // We already have the snapshot's last entry: just move the commit index.
      this.raftLog.commitTo(s.metadata.index);
      return false;
    }
    this.raftLog.restore(s);
    this.trk = new ProgressTracker(this.trk.maxInflight, this.trk.maxInflightBytes);
    this.switchToConfig(restoreConfState({ tracker: this.trk, lastIndex: this.raftLog.lastIndex() }, cs));
    this.logger?.info(
      `${this.id.toString(16)} [commit: ${this.raftLog.committed}] restored snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`,
    );
    return true;
  }

  // ---- membership ----

  applyConfChange(cc: ConfChangeV2): ConfState {
    const changer = { tracker: this.trk, lastIndex: this.raftLog.lastIndex() };
    let res: ChangeResult;
    if (leavesJoint(cc)) res = leaveJoint(changer);
    else {
      const j = entersJoint(cc);
      res = j.joint ? enterJoint(changer, { autoLeave: j.autoLeave, changes: cc.changes }) : simpleChange(changer, cc.changes);
    }
    return this.switchToConfig(res);
  }

  /** Installs a new config and reacts to it (removal of this member, changed quorum). */
  switchToConfig(res: { config: TrackerConfig; progress: ProgressMap }): ConfState {
    this.trk.setConfig(res.config, res.progress);
    this.logger?.info(`${this.id.toString(16)} switched to configuration ${this.trk.config}`);
    const cs = this.trk.confState();
    const pr = this.trk.progress.get(this.id);
    this.isLearner = pr !== undefined && pr.isLearner;
    if ((pr === undefined || this.isLearner) && this.state === StateType.StateLeader) {
      if (this.cfg.stepDownOnRemoval) this.becomeFollower(this.term, None);
      return cs;
    }
    if (this.state !== StateType.StateLeader || cs.voters.length === 0) return cs;
    if (this.maybeCommit()) {
      this.bcastAppend();
    } else {
      // Probe newly added members right away instead of at the next heartbeat.
      this.trk.visit((id) => {
        if (id !== this.id) this.maybeSendAppend(id, false);
      });
    }
    if (this.leadTransferee !== None && !this.trk.config.voters[0].has(this.leadTransferee) && !this.trk.config.voters[1].has(this.leadTransferee)) {
      this.abortLeaderTransfer();
    }
    return cs;
  }

  private loadState(hs: HardState): void {
    if (hs.commit < this.raftLog.committed || hs.commit > this.raftLog.lastIndex()) {
      throw new Error(`raft: ${this.id.toString(16)} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`);
    }
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  private sendTimeoutNow(to: bigint): void {
    this.send(newMessage({ type: MessageType.MsgTimeoutNow, to }));
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = None;
  }

  // ---- reads ----

  private committedEntryInCurrentTerm(): boolean {
    return this.raftLog.term(this.raftLog.committed) === this.term;
  }

  /** Answers a read: locally for our own request, by MsgReadIndexResp for a follower's. */
  private answerReadIndex(req: Message, readIndex: number): void {
    if (req.from === None || req.from === this.id) {
      this.readStates.push({ index: readIndex, requestCtx: req.entries[0].data });
      return;
    }
    this.send(newMessage({ type: MessageType.MsgReadIndexResp, to: req.from, index: readIndex, entries: req.entries }));
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0) return;
    if (!this.committedEntryInCurrentTerm()) return;
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) this.sendReadIndexResponse(m);
  }

  private sendReadIndexResponse(m: Message): void {
    if (this.readOnly.option === ReadOnlyOption.ReadOnlySafe) {
      this.readOnly.addRequest(this.raftLog.committed, m);
      // The leader acks its own request; the heartbeat round collects the rest.
      this.readOnly.recvAck(this.id, this.readOnly.heartbeatCtx());
      this.bcastHeartbeat();
    } else {
      this.answerReadIndex(m, this.raftLog.committed);
    }
  }
}

/** Wraps a conf change as a MsgProp; undefined stands for "leave the joint config". */
export function confChangeToMsg(cc: ConfChange | ConfChangeV2 | undefined): Message {
  let type = EntryType.EntryConfChangeV2;
  let data: Uint8Array = new Uint8Array(0);
  if (cc !== undefined && 'changes' in cc) data = encodeConfChangeV2(cc);
  else if (cc !== undefined) {
    type = EntryType.EntryConfChange;
    data = encodeConfChange(cc);
  }
  return newMessage({ type: MessageType.MsgProp, entries: [newEntry({ type, data })] });
}
