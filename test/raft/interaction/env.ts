// The environment behind the interaction scripts in test/raft/testdata: members driven
// command by command, with every Ready, message and raft log line written out as text.
import {
  ConfChangeSingle,
  ConfChangeTransition,
  ConfChangeType,
  EntryType,
  Logger,
  MemoryStorage,
  Message,
  RawNode,
  StateType,
  decodeConfChange,
  decodeConfChangeV2,
  describeEntry,
  describeMessage,
  describeReady,
  RaftError,
} from '../../../src/raft';
import { ProgressState } from '../../../src/raft/tracker';

export interface Command {
  name: string;
  /** Positional arguments. */
  args: string[];
  /** key=value arguments. */
  kv: Map<string, string>;
}

interface Node {
  id: bigint;
  node: RawNode;
  storage: MemoryStorage;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export class InteractionEnv {
  private readonly nodes = new Map<bigint, Node>();
  private queue: Message[] = [];
  private out: string[] = [];
  private readonly electionTick = 3;
  private readonly heartbeatTick = 1;

  /** Raft's log lines become part of the output, as in etcd-io/raft's interaction tests. */
  private logger(): Logger {
    const line = (level: string) => (msg: string) => this.out.push(`${level} ${msg}`);
    return { debug: () => {}, info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
  }

  private get(idText: string): Node {
    const n = this.nodes.get(BigInt(idText));
    if (n === undefined) throw new Error(`no node ${idText}`);
    return n;
  }

  /** Runs one command and returns its output. */
  run(cmd: Command): string {
    this.out = [];
    const handler = this.handlers[cmd.name];
    if (handler === undefined) throw new Error(`unknown command ${cmd.name}`);
    try {
      handler(cmd);
    } catch (err) {
      // Errors raft returns to its caller (a dropped proposal) are part of the script's output.
      if (!(err instanceof RaftError)) throw err;
      this.out.push(`error: ${err.message}`);
    }
    return this.out.length > 0 ? this.out.join('\n') : 'ok';
  }

  private readonly handlers: Record<string, (c: Command) => void> = {
    'add-nodes': (c) => {
      const n = Number(c.args[0]);
      const first = this.nodes.size + 1;
      const ids = Array.from({ length: n }, (_, i) => BigInt(first + i));
      const voters = c.kv.has('voters') ? parseIds(c.kv.get('voters')!) : ids;
      const learners = c.kv.has('learners') ? parseIds(c.kv.get('learners')!) : [];
      for (const id of ids) {
        const storage = new MemoryStorage({ confState: { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false } });
        const node = new RawNode({
          id,
          electionTick: this.electionTick,
          heartbeatTick: this.heartbeatTick,
          storage,
          rng: () => 0, // election timeout exactly electionTick: scripts need no randomness
          preVote: c.kv.get('prevote') === 'true',
          checkQuorum: c.kv.get('checkquorum') === 'true',
          maxInflightMsgs: Number(c.kv.get('max-inflight') ?? 256),
          logger: this.logger(),
        });
        this.nodes.set(id, { id, node, storage });
      }
    },
    campaign: (c) => this.get(c.args[0]).node.campaign(),
    propose: (c) => this.get(c.args[0]).node.propose(enc(c.args[1])),
    'read-index': (c) => this.get(c.args[0]).node.readIndex(enc(c.args[1])),
    'transfer-leadership': (c) => this.get(c.kv.get('from')!).node.transferLeader(BigInt(c.kv.get('to')!)),
    'propose-conf-change': (c) => {
      const changes = parseChanges(c.args.slice(1));
      const t = c.kv.get('transition');
      const n = this.get(c.args[0]).node;
      if (changes.length === 1 && t === undefined) {
        n.proposeConfChange({ id: 0n, type: changes[0].type, nodeId: changes[0].nodeId, context: new Uint8Array(0) });
      } else {
        const transition =
          t === 'explicit' ? ConfChangeTransition.ConfChangeTransitionJointExplicit
          : t === 'implicit' ? ConfChangeTransition.ConfChangeTransitionJointImplicit
          : ConfChangeTransition.ConfChangeTransitionAuto;
        n.proposeConfChange({ transition, changes, context: new Uint8Array(0) });
      }
    },
    'tick-heartbeat': (c) => {
      for (let i = 0; i < this.heartbeatTick; i++) this.get(c.args[0]).node.tick();
    },
    'tick-election': (c) => {
      for (let i = 0; i < this.electionTick; i++) this.get(c.args[0]).node.tick();
    },
    'process-ready': (c) => {
      for (const id of c.args) this.processReady(this.get(id));
    },
    'deliver-msgs': (c) => {
      const drop = c.kv.get('drop') === 'true';
      for (const id of c.args) this.deliver(BigInt(id), drop);
    },
    stabilize: (c) => {
      const ids = c.args.length > 0 ? c.args.map((a) => BigInt(a)) : [...this.nodes.keys()];
      for (let round = 0; round < 100; round++) {
        let busy = false;
        for (const id of ids) {
          const n = this.nodes.get(id)!;
          if (n.node.hasReady()) {
            busy = true;
            this.processReady(n);
          }
        }
        for (const id of ids) {
          if (this.queue.some((m) => m.to === id)) {
            busy = true;
            this.deliver(id, false);
          }
        }
        if (!busy) return;
      }
      throw new Error('stabilize did not settle');
    },
    compact: (c) => {
      const n = this.get(c.args[0]);
      const index = Number(c.args[1]);
      n.storage.createSnapshot(index, { confState: n.node.status().config, data: enc(`snapshot@${index}`) });
      n.storage.compact(index);
      this.printLog(n);
    },
    'raft-log': (c) => this.printLog(this.get(c.args[0])),
    'raft-state': () => {
      for (const n of this.nodes.values()) {
        const st = n.node.status();
        const role = st.config.learners.includes(n.id) ? 'Learner' : st.config.voters.includes(n.id) ? 'Voter' : 'Non-member';
        this.out.push(`${n.id}: ${StateType[st.raftState]} (${role}) Term:${st.term} Lead:${st.lead}`);
      }
    },
    status: (c) => {
      for (const [id, p] of this.get(c.args[0]).node.status().progress) {
        let line = `${id}: ${ProgressState[p.state]} match=${p.match} next=${p.next}`;
        if (p.isLearner) line += ' learner';
        if (p.pendingSnapshot > 0) line += ` pendingSnap=${p.pendingSnapshot}`;
        if (p.inflight > 0) line += ` inflight=${p.inflight}`;
        this.out.push(line);
      }
    },
  };

  private printLog(n: Node): void {
    const ents = n.node.raft.raftLog.allEntries();
    this.out.push(...(ents.length > 0 ? ents.map(describeEntry) : ['log is empty']));
  }

  private processReady(n: Node): void {
    const rd = n.node.ready();
    this.out.push(`> ${n.id} handling Ready`);
    this.out.push(...describeReady(rd).split('\n').map((l) => `  ${l}`));
    const before = this.out.length;
    if (rd.snapshot !== undefined) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
    this.queue.push(...rd.messages);
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.EntryConfChange) n.node.applyConfChange(decodeConfChange(e.data));
      else if (e.type === EntryType.EntryConfChangeV2) n.node.applyConfChange(decodeConfChangeV2(e.data));
    }
    for (const rs of rd.readStates) this.out.push(`read ${dec(rs.requestCtx)} served at index ${rs.index}`);
    n.node.advance();
    for (let i = before; i < this.out.length; i++) this.out[i] = `  ${this.out[i]}`;
  }

  private deliver(to: bigint, drop: boolean): void {
    const mine = this.queue.filter((m) => m.to === to);
    this.queue = this.queue.filter((m) => m.to !== to);
    if (mine.length === 0) return;
    this.out.push(drop ? `> dropping messages to ${to}` : `> ${to} receiving messages`);
    for (const m of mine) {
      this.out.push(`  ${describeMessage(m)}`);
      if (drop) continue;
      const n = this.nodes.get(to);
      if (n === undefined) continue;
      const before = this.out.length;
      try {
        n.node.step(m);
      } catch (err) {
        if (!(err instanceof RaftError)) throw err;
        this.out.push(`error: ${err.message}`);
      }
      for (let i = before; i < this.out.length; i++) this.out[i] = `  ${this.out[i]}`;
    }
  }
}

function parseIds(text: string): bigint[] {
  return text.replace(/[()]/g, ' ').trim().split(/\s+/).filter(Boolean).map((s) => BigInt(s));
}

/** v2 = add voter 2, l3 = add learner 3, r1 = remove 1, u4 = update 4. */
function parseChanges(tokens: string[]): ConfChangeSingle[] {
  const kinds: Record<string, ConfChangeType> = {
    v: ConfChangeType.ConfChangeAddNode,
    l: ConfChangeType.ConfChangeAddLearnerNode,
    r: ConfChangeType.ConfChangeRemoveNode,
    u: ConfChangeType.ConfChangeUpdateNode,
  };
  return tokens.map((t) => {
    const type = kinds[t[0]];
    if (type === undefined) throw new Error(`bad change ${t}`);
    return { type, nodeId: BigInt(t.slice(1)) };
  });
}
