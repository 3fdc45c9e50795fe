// One canonical line of text per raft type, for logs and for test expectations.
import { ConfState, Entry, EntryType, HardState, Message, MessageType, Snapshot } from './raftpb';
import { decodeConfChange, decodeConfChangeV2 } from './codec';
import { describeChanges } from './confchange';
import { confChangeAsV2 } from './raftpb';
import { Ready } from './rawnode';
import { SoftState, StateType } from './raft';

/** IDs print in hex, as etcd prints member IDs. */
export function describeId(id: bigint): string {
  return id.toString(16);
}

function describeData(e: Entry): string {
  try {
    if (e.type === EntryType.EntryConfChange) return describeChanges(confChangeAsV2(decodeConfChange(e.data)).changes);
    if (e.type === EntryType.EntryConfChangeV2) {
      const cc = decodeConfChangeV2(e.data);
      return cc.changes.length === 0 ? 'leave-joint' : describeChanges(cc.changes);
    }
  } catch {
    return `<undecodable ${e.data.length} bytes>`;
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(e.data);
  return /^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : `<${e.data.length} bytes>`;
}

export function describeEntry(e: Entry): string {
  const kind = e.type === EntryType.EntryNormal ? 'EntryNormal' : EntryType[e.type];
  return `${e.term}/${e.index} ${kind} ${describeData(e)}`;
}

export function describeEntries(ents: Entry[]): string {
  return ents.map(describeEntry).join('\n');
}

export function describeHardState(hs: HardState): string {
  return `Term:${hs.term}${hs.vote !== 0n ? ` Vote:${describeId(hs.vote)}` : ''} Commit:${hs.commit}`;
}

export function describeSoftState(ss: SoftState): string {
  return `Lead:${describeId(ss.lead)} State:${StateType[ss.raftState]}`;
}

export function describeConfState(cs: ConfState): string {
  const ids = (l: bigint[]) => l.map(describeId).join(' ');
  return `Voters:[${ids(cs.voters)}] VotersOutgoing:[${ids(cs.votersOutgoing)}] Learners:[${ids(cs.learners)}] LearnersNext:[${ids(cs.learnersNext)}] AutoLeave:${cs.autoLeave}`;
}

export function describeSnapshot(s: Snapshot): string {
  const m = s.metadata;
  return `Index:${m.index} Term:${m.term} ConfState:${describeConfState(m.confState)}`;
}

export function describeMessage(m: Message): string {
  let s = `${describeId(m.from)}->${describeId(m.to)} ${MessageType[m.type]} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.vote !== 0n) s += ` Vote:${describeId(m.vote)}`;
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  if (m.snapshot !== undefined && m.snapshot.metadata.index !== 0) s += ` Snapshot: ${describeSnapshot(m.snapshot)}`;
  return s;
}

export function describeReady(rd: Ready): string {
  const lines: string[] = [];
  if (rd.softState !== undefined) lines.push(describeSoftState(rd.softState));
  if (rd.hardState !== undefined) lines.push(`HardState ${describeHardState(rd.hardState)}`);
  if (rd.readStates.length > 0) {
    lines.push('ReadStates:');
    for (const rs of rd.readStates) lines.push(`  ${rs.index} ${JSON.stringify(new TextDecoder().decode(rs.requestCtx))}`);
  }
  if (rd.entries.length > 0) lines.push('Entries:', ...rd.entries.map((e) => `  ${describeEntry(e)}`));
  if (rd.snapshot !== undefined) lines.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  if (rd.committedEntries.length > 0) lines.push('CommittedEntries:', ...rd.committedEntries.map((e) => `  ${describeEntry(e)}`));
  if (rd.messages.length > 0) lines.push('Messages:', ...rd.messages.map((m) => `  ${describeMessage(m)}`));
  return lines.length > 0 ? lines.join('\n') : '<empty Ready>';
}
