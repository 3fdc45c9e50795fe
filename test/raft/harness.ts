// A small in-process cluster for the rule tests: every member is a RawNode over a
// MemoryStorage, driven through Ready/advance exactly as an application would, with
// messages delivered in order unless a test drops or isolates them.
import {
  Config,
  ConfState,
  Entry,
  EntryType,
  Message,
  MessageType,
  MemoryStorage,
  RawNode,
  ReadState,
  StateType,
  decodeConfChange,
  decodeConfChangeV2,
  isRaftError,
  seededRng,
} from '../../src/raft';

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export type NodeOptions = Partial<Omit<Config, 'id' | 'storage' | 'rng'>>;

export class Member {
  readonly id: bigint;
  storage: MemoryStorage;
  node: RawNode;
  /** Every entry handed over for applying, in order. */
  applied: Entry[];
  readStates: ReadState[] = [];
  confState: ConfState | undefined;
  private readonly opts: NodeOptions;

  constructor(id: bigint, storage: MemoryStorage, opts: NodeOptions) {
    this.id = id;
    this.storage = storage;
    this.opts = opts;
    this.applied = [];
    this.node = this.start();
  }

  private start(): RawNode {
    // The applied entries survive a restart (as an application's state would).
    const applied = this.applied.length > 0 ? this.applied[this.applied.length - 1].index : 0;
    return new RawNode({ electionTick: 10, heartbeatTick: 1, ...this.opts, id: this.id, storage: this.storage, rng: seededRng(Number(this.id)), applied });
  }

  get raft() {
    return this.node.raft;
  }

  /** Crash and restart from what was persisted (anything in a pending Ready is lost). */
  restart(): void {
    this.node = this.start();
  }

  /** Processes one Ready in the application's order; returns the messages to send. */
  handleReady(): Message[] {
    const rd = this.node.ready();
    if (rd.snapshot !== undefined) this.storage.applySnapshot(rd.snapshot);
    this.storage.append(rd.entries);
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
    for (const e of rd.committedEntries) {
      this.applied.push(e);
      if (e.type === EntryType.EntryConfChange) this.confState = this.node.applyConfChange(decodeConfChange(e.data));
      if (e.type === EntryType.EntryConfChangeV2) this.confState = this.node.applyConfChange(decodeConfChangeV2(e.data));
    }
    this.readStates.push(...rd.readStates);
    this.node.advance();
    return rd.messages;
  }

  appliedData(): string[] {
    return this.applied.filter((e) => e.type === EntryType.EntryNormal && e.data.length > 0).map((e) => dec(e.data));
  }
}

export interface NetworkOptions extends NodeOptions {
  learners?: bigint[];
}

export class Network {
  readonly members = new Map<bigint, Member>();
  /** Directed links that drop everything: "from-to". */
  private readonly cut = new Set<string>();
  /** Message types dropped everywhere. */
  readonly ignored = new Set<MessageType>();
  /** A hook that may drop (false) or keep each message. */
  filter: ((m: Message) => boolean) | undefined;
  /** Every message delivered, for assertions. */
  readonly delivered: Message[] = [];
  /** The membership every member's log starts from (as if a snapshot at index 0 carried it). */
  readonly initialConfState: ConfState;
  private readonly nodeOpts: NodeOptions;

  constructor(ids: bigint[], opts: NetworkOptions = {}) {
    const { learners = [], ...nodeOpts } = opts;
    this.nodeOpts = nodeOpts;
    this.initialConfState = { voters: ids, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
    for (const id of [...ids, ...learners]) this.join(id);
  }

  /** Starts a member with an empty log; it is part of the group once a conf change adds it. */
  join(id: bigint, opts: NodeOptions = {}): Member {
    const m = new Member(id, new MemoryStorage({ confState: this.initialConfState }), { ...this.nodeOpts, ...opts });
    this.members.set(id, m);
    return m;
  }

  get(id: bigint): Member {
    const m = this.members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  isolate(id: bigint): void {
    for (const other of this.members.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}-${other}`);
      this.cut.add(`${other}-${id}`);
    }
  }

  cutLink(from: bigint, to: bigint): void {
    this.cut.add(`${from}-${to}`);
  }

  heal(): void {
    this.cut.clear();
    this.ignored.clear();
    this.filter = undefined;
  }

  private dropped(m: Message): boolean {
    if (this.cut.has(`${m.from}-${m.to}`) || this.ignored.has(m.type)) return true;
    return this.filter !== undefined && !this.filter(m);
  }

  /** Delivers messages and processes Readies until nothing moves (bounded). */
  stabilize(maxRounds = 200): void {
    for (let round = 0; round < maxRounds; round++) {
      const out: Message[] = [];
      for (const id of [...this.members.keys()].sort((a, b) => (a < b ? -1 : 1))) {
        const m = this.members.get(id)!;
        while (m.node.hasReady()) out.push(...m.handleReady());
      }
      if (out.length === 0) return;
      for (const msg of out) this.deliver(msg);
    }
    throw new Error('network did not stabilize');
  }

  deliver(msg: Message): void {
    if (this.dropped(msg)) return;
    const to = this.members.get(msg.to);
    if (to === undefined) return;
    this.delivered.push(msg);
    try {
      to.node.step(msg);
    } catch (err) {
      // What a server would log and drop: a proposal with nowhere to go, a response from a removed member.
      if (!isRaftError(err, 'proposal-dropped') && !isRaftError(err, 'step-peer-not-found')) throw err;
    }
  }

  campaign(id: bigint): void {
    this.get(id).node.campaign();
    this.stabilize();
  }

  propose(id: bigint, data: string): void {
    this.get(id).node.propose(enc(data));
    this.stabilize();
  }

  tick(id: bigint, n: number): void {
    for (let i = 0; i < n; i++) this.get(id).node.tick();
  }

  /** Ticks every member n times, stabilizing after each round. */
  tickAll(n: number): void {
    for (let i = 0; i < n; i++) {
      for (const m of this.members.values()) m.node.tick();
      this.stabilize();
    }
  }

  leader(): Member | undefined {
    return [...this.members.values()].find((m) => m.raft.state === StateType.StateLeader);
  }
}

export function states(net: Network): string {
  return [...net.members.values()].map((m) => `${m.id}:${StateType[m.raft.state].replace('State', '')}@${m.raft.term}`).join(' ');
}
