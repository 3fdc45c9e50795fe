// Proposals per second through a 3-member raft group simulated in one process with no
// I/O: the cost of the consensus core alone. Every entry is proposed at the leader,
// replicated, committed and applied on all three members. `batch` proposals arrive
// between two Ready rounds; with `--one-msg` they come as one MsgProp of `batch` entries
// (as a follower forwards them), else as `batch` calls to propose().
//   node --import tsx bench/raft-throughput.ts [entries] [batch] [--one-msg]
import { EntryType, MemoryStorage, Message, MessageType, RawNode, StateType, newEntry, newMessage, seededRng } from '../src/raft';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const oneMsg = process.argv.includes('--one-msg');
const total = Number(args[0] ?? 300_000);
const batch = Number(args[1] ?? 64);

interface Member {
  node: RawNode;
  storage: MemoryStorage;
  applied: number;
}

const ids = [1n, 2n, 3n];
const confState = { voters: ids, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
const members = new Map<bigint, Member>();
for (const id of ids) {
  const storage = new MemoryStorage({ confState });
  const node = new RawNode({ id, electionTick: 10, heartbeatTick: 1, storage, rng: seededRng(Number(id)), maxInflightMsgs: 256 });
  members.set(id, { node, storage, applied: 0 });
}

/** Runs every member's Ready loop and delivers messages until the group is quiet. */
function pump(): void {
  for (let rounds = 0; rounds < 1000; rounds++) {
    const out: Message[] = [];
    for (const m of members.values()) {
      if (!m.node.hasReady()) continue;
      const rd = m.node.ready();
      m.storage.append(rd.entries);
      if (rd.hardState !== undefined) m.storage.setHardState(rd.hardState);
      for (const msg of rd.messages) out.push(msg);
      for (const e of rd.committedEntries) if (e.type === EntryType.EntryNormal) m.applied++;
      m.node.advance();
    }
    if (out.length === 0) return;
    for (const msg of out) members.get(msg.to)!.node.step(msg);
  }
  throw new Error('raft bench: the group did not settle');
}

const leader = members.get(1n)!;
leader.node.campaign();
pump();
if (leader.node.status().raftState !== StateType.StateLeader) throw new Error('raft bench: member 1 did not become leader');

const payload = new Uint8Array(16).fill(7);
const base = leader.applied;
const start = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
for (let done = 0; done < total; done += batch) {
  if (oneMsg) {
    const entries = Array.from({ length: batch }, () => newEntry({ data: payload }));
    leader.node.step(newMessage({ type: MessageType.MsgProp, from: 1n, entries }));
  } else {
    for (let i = 0; i < batch; i++) leader.node.propose(payload);
  }
  pump();
  // Keep memory flat, as an application taking snapshots would.
  if (done % 50_000 < batch) {
    for (const m of members.values()) {
      const applied = m.node.status().applied;
      if (applied > m.storage.firstIndex()) m.storage.compact(applied - 1);
    }
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
for (const m of members.values()) {
  if (m.applied - base < total) throw new Error(`raft bench: a member applied only ${m.applied - base} of ${total}`);
}
console.log(
  `raft-throughput: ${total} entries (${oneMsg ? 'one MsgProp per batch' : 'propose() each'}, batch ${batch}) through 3 members in ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s cpu: ` +
    `${Math.round(total / seconds)} entries/s wall, ${Math.round(total / cpuSeconds)} entries/s per cpu-second`,
);
