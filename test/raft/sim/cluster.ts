// A deterministic cluster simulator: N members in one process, a seeded network that
// drops, delays, duplicates and reorders messages and can be partitioned (both ways or
// one way), crashes and restarts from what was persisted, uneven clocks, clients that
// propose and read, and (per seed) membership changes, leader transfers and compaction.
// Every step ends with the Checker's safety checks; the end of a run heals everything
// and checks that every acknowledged write reached every member.
import {
  ConfChangeTransition,
  ConfChangeType,
  ConfState,
  EntryType,
  MemoryStorage,
  Message,
  MessageType,
  RawNode,
  StateType,
  decodeConfChange,
  decodeConfChangeV2,
  describeMessage,
  isRaftError,
  seededRng,
} from '../../../src/raft';
import { Checker, Violation } from './checker';
import { Rand } from './rand';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export interface SimOptions {
  size: number;
  seed: number;
  /** Steps with faults; then up to healSteps to converge. */
  steps: number;
  healSteps: number;
  /** Collect a readable trace (slow); printed when a run fails. */
  trace?: boolean;
}

interface Features {
  crashes: boolean;
  partitions: boolean;
  confChanges: boolean;
  transfers: boolean;
  snapshots: boolean;
  /** Frequent partitions and crashes: many short terms with uncommitted tails (figure 8 territory). */
  storm: boolean;
  dropRate: number;
  dupRate: number;
  maxDelay: number;
  /** 0 sends one entry per append, so acknowledgements can stop between two terms' entries. */
  maxSizePerMsg: number;
  /** When a partition starts, the leader's clock slows down: it believes in its leadership too long. */
  skew: boolean;
}

/** The application on one member: a set of values, rebuilt from the snapshot after a crash. */
interface StateMachine {
  applied: number;
  values: Set<string>;
  confState: ConfState;
}

interface PendingRead {
  ctx: string;
  /** How many acknowledged writes existed when the read began. */
  ackedBefore: number;
  index?: number;
}

class SimMember {
  readonly id: bigint;
  readonly storage: MemoryStorage;
  node: RawNode | undefined;
  sm!: StateMachine;
  removed = false;
  /** Clock skew: the chance this member's clock ticks in a step. */
  readonly baseTickRate: number;
  tickRate: number;
  /** Values proposed here and not yet applied here (their clients wait for them). */
  proposals = new Set<string>();
  reads = new Map<string, PendingRead>();
  lastSnapshotIndex = 0;

  constructor(id: bigint, initial: ConfState, tickRate: number) {
    this.id = id;
    this.storage = new MemoryStorage({ confState: initial });
    this.baseTickRate = tickRate;
    this.tickRate = tickRate;
  }
}

function inConfig(cs: ConfState, id: bigint): boolean {
  return cs.voters.includes(id) || cs.learners.includes(id) || cs.votersOutgoing.includes(id) || cs.learnersNext.includes(id);
}

interface InFlight {
  at: number;
  seq: number;
  msg: Message;
}

export class SimCluster {
  private readonly opts: SimOptions;
  private readonly rand: Rand;
  private readonly f: Features;
  private readonly checker = new Checker();
  private readonly members = new Map<bigint, SimMember>();
  private readonly spares: bigint[] = [];
  private readonly initial: ConfState;
  private inflight: InFlight[] = [];
  private seq = 0;
  /** Directed links that drop everything: "from-to". */
  private cut = new Set<string>();
  private step = 0;
  private healing = false;
  private nextValue = 0;
  private nextRead = 0;
  /** Acknowledged writes, in acknowledgement order. */
  private readonly acked: string[] = [];
  readonly stats = { proposals: 0, acked: 0, reads: 0, readsServed: 0, crashes: 0, snapshots: 0, confChanges: 0, transfers: 0, elections: 0 };
  private readonly traceLines: string[] = [];

  constructor(opts: SimOptions) {
    this.opts = opts;
    this.rand = new Rand(opts.seed * 7919 + opts.size);
    const r = this.rand;
    this.f = {
      crashes: r.chance(0.6),
      partitions: r.chance(0.6),
      confChanges: r.chance(0.35),
      transfers: r.chance(0.3),
      snapshots: r.chance(0.4),
      storm: r.chance(0.3),
      dropRate: r.chance(0.7) ? r.between(0, 0.2) : 0,
      dupRate: r.chance(0.5) ? r.between(0, 0.1) : 0,
      maxDelay: 1 + r.int(5),
      maxSizePerMsg: r.pick([0, 0, 64, 256, 4096]),
      skew: r.chance(0.5),
    };
    const ids = Array.from({ length: opts.size }, (_, i) => BigInt(i + 1));
    this.initial = { voters: ids, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
    for (const id of ids) this.addMember(id);
    for (let i = 1; i <= 3; i++) this.spares.push(BigInt(opts.size + i));
  }

  private trace(line: () => string): void {
    if (this.opts.trace) this.traceLines.push(`[${this.step}] ${line()}`);
  }

  private addMember(id: bigint): SimMember {
    const m = new SimMember(id, this.initial, this.rand.between(0.6, 1));
    this.members.set(id, m);
    this.start(m);
    return m;
  }

  /** Starts (or restarts) a member from its storage: the application rebuilds from the snapshot. */
  private start(m: SimMember): void {
    const snap = m.storage.snapshot();
    const values: string[] = snap.data.length > 0 ? JSON.parse(dec(snap.data)) : [];
    m.sm = {
      applied: snap.metadata.index,
      values: new Set(values),
      confState: snap.metadata.index > 0 ? snap.metadata.confState : this.initial,
    };
    m.node = new RawNode({
      id: m.id,
      electionTick: 10,
      heartbeatTick: 1,
      storage: m.storage,
      rng: seededRng(this.opts.seed * 31 + Number(m.id) + this.stats.crashes * 1009),
      applied: m.sm.applied,
      maxSizePerMsg: this.f.maxSizePerMsg,
      maxInflightMsgs: 4,
      preVote: true,
      checkQuorum: true,
    });
    this.checker.restarted(m.id, m.node.raft.raftLog.committed);
  }

  private crash(m: SimMember): void {
    this.trace(() => `crash ${m.id}`);
    m.node = undefined;
    m.proposals.clear();
    m.reads.clear();
    this.stats.crashes++;
  }

  private up(): SimMember[] {
    const out: SimMember[] = [];
    for (const m of this.members.values()) if (m.node !== undefined) out.push(m);
    return out;
  }

  private leader(): SimMember | undefined {
    let best: SimMember | undefined;
    for (const m of this.up()) {
      if (m.node!.raft.state !== StateType.StateLeader) continue;
      if (best === undefined || m.node!.raft.term > best.node!.raft.term) best = m;
    }
    return best;
  }

  // ---- the network ----

  private send(msg: Message): void {
    const r = this.rand;
    if (!this.healing && r.chance(this.f.dropRate)) {
      this.lost(msg);
      return;
    }
    const copies = !this.healing && r.chance(this.f.dupRate) ? 2 : 1;
    // A healed network delivers in order (like etcd's per-peer streams); before that, delays reorder.
    const delay = this.healing ? 1 : 1 + r.int(this.f.maxDelay);
    for (let i = 0; i < copies; i++) {
      // Each copy is its own object, as each would be decoded from the wire.
      this.inflight.push({ at: this.step + delay, seq: this.seq++, msg: i === 0 ? msg : { ...msg } });
    }
  }

  private lost(msg: Message): void {
    this.trace(() => `lost ${describeMessage(msg)}`);
    const from = this.members.get(msg.from);
    if (from?.node === undefined) return;
    // The transport learns that a snapshot did not arrive, or (sometimes) that a peer is unreachable.
    if (msg.type === MessageType.MsgSnap) from.node.reportSnapshot(msg.to, 'failure');
    else if (this.rand.chance(0.1)) from.node.reportUnreachable(msg.to);
  }

  private deliverDue(): void {
    const due: InFlight[] = [];
    const rest: InFlight[] = [];
    for (const f of this.inflight) (f.at <= this.step ? due : rest).push(f);
    this.inflight = rest;
    due.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const { msg } of due) {
      const to = this.members.get(msg.to);
      if (to?.node === undefined || this.cut.has(`${msg.from}-${msg.to}`)) {
        this.lost(msg);
        continue;
      }
      this.trace(() => `deliver ${describeMessage(msg)}`);
      try {
        to.node.step(msg);
      } catch (err) {
        if (!isRaftError(err, 'proposal-dropped') && !isRaftError(err, 'step-peer-not-found')) throw err;
      }
      if (msg.type === MessageType.MsgSnap) this.members.get(msg.from)?.node?.reportSnapshot(msg.to, 'finish');
    }
  }

  // ---- faults and clients ----

  private faults(): void {
    const r = this.rand;
    const storm = this.f.storm ? 5 : 1;
    if (this.f.crashes) {
      for (const m of this.members.values()) {
        if (m.removed) continue;
        if (m.node !== undefined && r.chance(0.004 * storm)) this.crash(m);
        else if (m.node === undefined && r.chance(0.08 * storm)) {
          this.trace(() => `restart ${m.id}`);
          this.start(m);
        }
      }
    }
    if (this.f.partitions) {
      if (this.cut.size === 0 && r.chance(0.02 * storm)) this.partition();
      else if (this.cut.size > 0 && r.chance(0.03 * storm)) {
        this.trace(() => 'heal partition');
        this.cut.clear();
        for (const m of this.members.values()) m.tickRate = m.baseTickRate;
      }
    }
  }

  private partition(): void {
    const ids = [...this.members.keys()];
    const r = this.rand;
    const l = this.leader();
    if (this.f.skew && l !== undefined) l.tickRate = 0.1;
    if (r.chance(0.6)) {
      // Symmetric: split into two sides.
      const side = new Set(ids.filter(() => r.chance(0.5)));
      for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) this.cut.add(`${a}-${b}`);
      this.trace(() => `partition {${[...side].join(',')}} | rest`);
    } else {
      // One way: some links drop in a single direction.
      const n = 1 + r.int(ids.length);
      for (let i = 0; i < n; i++) {
        const a = r.pick(ids);
        const b = r.pick(ids);
        if (a !== b) this.cut.add(`${a}-${b}`);
      }
      this.trace(() => `one-way cuts ${[...this.cut].join(' ')}`);
    }
  }

  private clients(): void {
    const r = this.rand;
    const up = this.up().filter((m) => !m.removed);
    if (up.length === 0) return;
    if (r.chance(0.5)) {
      const m = r.pick(up);
      const v = `v${this.nextValue++}`;
      this.stats.proposals++;
      try {
        m.node!.propose(enc(v));
        m.proposals.add(v);
        this.trace(() => `propose ${v} at ${m.id}`);
      } catch (err) {
        if (!isRaftError(err, 'proposal-dropped')) throw err;
      }
    }
    if (r.chance(0.25)) {
      // Clients often ask whoever claims to lead, stale leaders included.
      const leaders = up.filter((x) => x.node!.raft.state === StateType.StateLeader);
      const m = leaders.length > 0 && r.chance(0.5) ? r.pick(leaders) : r.pick(up);
      const ctx = `r${this.nextRead++}`;
      m.reads.set(ctx, { ctx, ackedBefore: this.acked.length });
      m.node!.readIndex(enc(ctx));
      this.stats.reads++;
      this.trace(() => `read ${ctx} at ${m.id} (acked so far ${this.acked.length})`);
    }
    const l = this.leader();
    if (l === undefined) return;
    if (this.f.confChanges && r.chance(0.03)) this.changeMembership(l);
    if (this.f.transfers && r.chance(0.01)) {
      const voters = l.node!.status().config.voters.filter((id) => id !== l.id);
      if (voters.length > 0) {
        const to = r.pick(voters);
        this.stats.transfers++;
        this.trace(() => `transfer ${l.id} -> ${to}`);
        l.node!.transferLeader(to);
      }
    }
  }

  private changeMembership(l: SimMember): void {
    const cs = l.node!.status().config;
    if (cs.votersOutgoing.length > 0) return;
    const r = this.rand;
    const none = new Uint8Array(0);
    const options: (() => void)[] = [];
    if (this.spares.length > 0) {
      options.push(() => {
        const id = this.spares.shift()!;
        if (!this.members.has(id)) this.addMember(id);
        l.node!.proposeConfChange({ id: 0n, type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: id, context: none });
        this.trace(() => `propose add learner ${id}`);
      });
    }
    if (cs.learners.length > 0) {
      const id = r.pick(cs.learners);
      options.push(() => {
        l.node!.proposeConfChange({ id: 0n, type: ConfChangeType.ConfChangeAddNode, nodeId: id, context: none });
        this.trace(() => `propose promote ${id}`);
      });
    }
    if (cs.voters.length > 3) {
      const id = r.pick(cs.voters);
      options.push(() => {
        l.node!.proposeConfChange({ id: 0n, type: ConfChangeType.ConfChangeRemoveNode, nodeId: id, context: none });
        this.trace(() => `propose remove ${id}`);
      });
    }
    if (cs.learners.length > 0 && cs.voters.length >= 3) {
      // Joint consensus: swap a voter for a learner in one change, left automatically.
      const add = r.pick(cs.learners);
      const remove = r.pick(cs.voters);
      options.push(() => {
        l.node!.proposeConfChange({
          transition: ConfChangeTransition.ConfChangeTransitionAuto,
          changes: [
            { type: ConfChangeType.ConfChangeAddNode, nodeId: add },
            { type: ConfChangeType.ConfChangeRemoveNode, nodeId: remove },
          ],
          context: none,
        });
        this.trace(() => `propose joint +${add} -${remove}`);
      });
    }
    if (options.length === 0) return;
    this.stats.confChanges++;
    try {
      r.pick(options)();
    } catch (err) {
      if (!isRaftError(err, 'proposal-dropped')) throw err;
    }
  }

  // ---- members at work ----

  private handleReady(m: SimMember): void {
    const node = m.node!;
    const rd = node.ready();
    // A crash before the Ready is persisted loses all of it.
    if (!this.healing && this.f.crashes && this.rand.chance(0.001)) {
      this.crash(m);
      return;
    }
    if (rd.snapshot !== undefined) {
      m.storage.applySnapshot(rd.snapshot);
      const values: string[] = JSON.parse(dec(rd.snapshot.data));
      m.sm = { applied: rd.snapshot.metadata.index, values: new Set(values), confState: rd.snapshot.metadata.confState };
      this.trace(() => `${m.id} installs snapshot at ${rd.snapshot!.metadata.index}`);
    }
    m.storage.append(rd.entries);
    if (rd.hardState !== undefined) {
      m.storage.setHardState(rd.hardState);
      this.checker.persisted(m.id, rd.hardState);
    }
    // A crash after persisting but before sending: the messages are lost, the state is not.
    if (!this.healing && this.f.crashes && this.rand.chance(0.001)) {
      this.crash(m);
      return;
    }
    for (const msg of rd.messages) this.send(msg.type === MessageType.MsgSnap ? this.mergedSnapshot(m, msg) : msg);
    for (const e of rd.committedEntries) {
      this.checker.applied(m.id, m.sm.applied, e);
      m.sm.applied = e.index;
      if (e.type === EntryType.EntryNormal) {
        if (e.data.length === 0) continue;
        const v = dec(e.data);
        m.sm.values.add(v);
        if (m.proposals.delete(v)) {
          this.acked.push(v);
          this.stats.acked++;
          this.trace(() => `ack ${v} at ${m.id}`);
        }
        continue;
      }
      const cc = e.type === EntryType.EntryConfChange ? decodeConfChange(e.data) : decodeConfChangeV2(e.data);
      const wasMember = inConfig(m.sm.confState, m.id);
      m.sm.confState = node.applyConfChange(cc);
      // A joining member replays changes from before its addition: only leaving counts as removal.
      if (wasMember && !inConfig(m.sm.confState, m.id)) m.removed = true;
    }
    for (const rs of rd.readStates) {
      const read = m.reads.get(dec(rs.requestCtx));
      if (read !== undefined && read.index === undefined) read.index = rs.index;
    }
    node.advance();
    this.serveReads(m);
    this.maybeCompact(m);
    if (m.removed) {
      // A member that applied its own removal shuts down, as an etcd member does.
      this.trace(() => `${m.id} removed, shutting down`);
      m.node = undefined;
    }
  }

  /**
   * As etcd does, a snapshot goes out as the sender's current applied state (with the
   * config at that index), not the possibly older one in storage: a member added after
   * the stored snapshot would otherwise refuse a snapshot whose config lacks it.
   */
  private mergedSnapshot(m: SimMember, msg: Message): Message {
    const index = m.sm.applied;
    const term = m.node!.raft.raftLog.term(index);
    if (term === undefined || index <= msg.snapshot!.metadata.index) return msg;
    return {
      ...msg,
      snapshot: { data: enc(JSON.stringify([...m.sm.values])), metadata: { index, term, confState: m.sm.confState } },
    };
  }

  /** A read is served once applied reaches its index; it must see every write acknowledged before it began. */
  private serveReads(m: SimMember): void {
    for (const [ctx, read] of m.reads) {
      if (read.index === undefined || m.sm.applied < read.index) continue;
      m.reads.delete(ctx);
      this.stats.readsServed++;
      for (let i = 0; i < read.ackedBefore; i++) {
        if (!m.sm.values.has(this.acked[i])) {
          throw new Violation(`read ${ctx} at member ${m.id} (read index ${read.index}) misses ${this.acked[i]}, acknowledged before the read began`);
        }
      }
    }
  }

  private maybeCompact(m: SimMember): void {
    if (!this.f.snapshots || m.sm.applied - m.lastSnapshotIndex < 8) return;
    const at = m.sm.applied;
    if (at <= m.storage.snapshot().metadata.index) return;
    m.storage.createSnapshot(at, { confState: m.sm.confState, data: enc(JSON.stringify([...m.sm.values])) });
    const keep = this.rand.int(3);
    if (at - keep >= m.storage.firstIndex()) m.storage.compact(at - keep);
    m.lastSnapshotIndex = at;
    this.stats.snapshots++;
  }

  private runStep(): void {
    this.step++;
    if (!this.healing) {
      this.faults();
      this.clients();
    }
    for (const m of this.up()) {
      if (this.rand.next() < m.tickRate) m.node!.tick();
    }
    this.deliverDue();
    for (const m of this.up()) {
      for (let i = 0; i < 3 && m.node !== undefined && m.node.hasReady(); i++) this.handleReady(m);
    }
    this.check();
  }

  private check(): void {
    const views = [];
    for (const m of this.up()) {
      const r = m.node!.raft;
      const progress: [bigint, number, number][] = [];
      if (r.state === StateType.StateLeader) r.trk.visit((id, pr) => progress.push([id, pr.match, pr.next]));
      views.push({
        id: m.id,
        state: r.state,
        term: r.term,
        applied: r.raftLog.applied,
        applying: r.raftLog.applying,
        committed: r.raftLog.committed,
        firstIndex: r.raftLog.firstIndex(),
        lastIndex: r.raftLog.lastIndex(),
        termAt: (i: number) => r.raftLog.term(i),
        progress,
      });
    }
    this.checker.afterStep(views);
  }

  /** Whether every member of the leader's config is up and has applied everything. */
  private converged(): boolean {
    const l = this.leader();
    if (l === undefined) return false;
    const r = l.node!.raft;
    if (r.raftLog.committed !== r.raftLog.lastIndex()) return false;
    const cs = l.node!.status().config;
    for (const id of [...cs.voters, ...cs.learners, ...cs.votersOutgoing]) {
      const m = this.members.get(id);
      if (m?.node === undefined || m.sm.applied !== r.raftLog.committed) return false;
    }
    return cs.votersOutgoing.length === 0;
  }

  /** Runs the seed; throws Violation (with the replay command) on a broken invariant. */
  run(): void {
    try {
      for (let i = 0; i < this.opts.steps; i++) this.runStep();
      this.healing = true;
      this.cut.clear();
      for (const m of this.members.values()) m.tickRate = m.baseTickRate;
      for (const m of this.members.values()) if (m.node === undefined && !m.removed) this.start(m);
      let ok = false;
      for (let i = 0; i < this.opts.healSteps && !ok; i++) {
        this.runStep();
        ok = this.converged();
      }
      if (!ok) throw new Violation(`the cluster did not converge within ${this.opts.healSteps} steps after healing`);
      this.checkAllAcked();
    } catch (err) {
      if (!(err instanceof Violation)) throw err;
      const replay = `RAFT_SIM_SIZE=${this.opts.size} RAFT_SIM_SEED=${this.opts.seed} RAFT_SIM_STEPS=${this.opts.steps} RAFT_SIM_TRACE=1 node --import tsx --test test/raft/simulation.test.ts`;
      const trace = this.opts.trace ? `\n--- trace (last 400 lines) ---\n${this.traceLines.slice(-400).join('\n')}` : '';
      throw new Violation(
        `raft simulation failed: size=${this.opts.size} seed=${this.opts.seed} step=${this.step}: ${err.message}\nfeatures: ${JSON.stringify(this.f)}\n${this.describeMembers()}\nreplay: ${replay}${trace}`,
      );
    }
  }

  private describeMembers(): string {
    const lines: string[] = [];
    for (const m of this.members.values()) {
      if (m.node === undefined) {
        lines.push(`  ${m.id}: ${m.removed ? 'removed' : 'down'} applied=${m.sm.applied}`);
        continue;
      }
      const st = m.node.status();
      const r = m.node.raft;
      const progress = [...st.progress].map(([id, p]) => `${id}:${p.match}/${p.next}/${p.state}${p.recentActive ? '' : '!'}`).join(' ');
      lines.push(
        `  ${m.id}: ${StateType[st.raftState]} term=${st.term} lead=${st.lead} commit=${st.commit} applied=${m.sm.applied} last=${r.raftLog.lastIndex()} first=${r.raftLog.firstIndex()} voters=${st.config.voters} out=${st.config.votersOutgoing} learners=${st.config.learners} ${progress}`,
      );
    }
    return lines.join('\n');
  }

  /** Every acknowledged write is applied on every member of the final config. */
  private checkAllAcked(): void {
    const cs = this.leader()!.node!.status().config;
    for (const id of [...cs.voters, ...cs.learners]) {
      const m = this.members.get(id)!;
      for (const v of this.acked) {
        if (!m.sm.values.has(v)) throw new Violation(`acknowledged write ${v} is missing on member ${id} after healing`);
      }
    }
  }
}
