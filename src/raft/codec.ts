// Protobuf binary encoding of the raft types with raftpb's field numbers (raft.proto),
// so a WAL or a peer stream written by Cairn decodes as raftpb and the other way round.
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { encodeWith } from '../protobuf-writer';
import {
  ConfChange,
  ConfChangeSingle,
  ConfChangeV2,
  ConfState,
  Entry,
  HardState,
  Message,
  Snapshot,
  SnapshotMetadata,
  emptyConfState,
  newEntry,
  newMessage,
} from './raftpb';
import { RaftError } from './errors';

const EMPTY = new Uint8Array(0);

function decodeError(what: string, detail: string): RaftError {
  return new RaftError('decode', `raft: cannot decode ${what}: ${detail}`);
}

function num(v: bigint | string, what: string): number {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw decodeError(what, `value ${b} exceeds 2^53`);
  return Number(b);
}

function id(v: bigint | string): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** Reads the body of each field until `end`, dispatching on the field number. */
function readFields(r: BinaryReader, end: number, what: string, f: (no: number, wt: WireType) => boolean): void {
  while (r.pos < end) {
    const [no, wt] = r.tag();
    if (!f(no, wt)) r.skip(wt, no);
  }
  if (r.pos !== end) throw decodeError(what, 'field overruns its message');
}

function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RaftError) throw err;
    throw decodeError(what, err instanceof Error ? err.message : String(err));
  }
}

// ---- Entry ----

function writeEntry(w: BinaryWriter, e: Entry): void {
  w.tag(1, WireType.Varint).int32(e.type);
  w.tag(2, WireType.Varint).uint64(e.term);
  w.tag(3, WireType.Varint).uint64(e.index);
  if (e.data.length > 0) w.tag(4, WireType.LengthDelimited).bytes(e.data);
}

function readEntry(r: BinaryReader, end: number): Entry {
  const e = newEntry({});
  readFields(r, end, 'entry', (no, wt) => {
    if (no === 1 && wt === WireType.Varint) e.type = r.int32();
    else if (no === 2 && wt === WireType.Varint) e.term = num(r.uint64(), 'entry term');
    else if (no === 3 && wt === WireType.Varint) e.index = num(r.uint64(), 'entry index');
    else if (no === 4 && wt === WireType.LengthDelimited) e.data = r.bytes();
    else return false;
    return true;
  });
  return e;
}

export function encodeEntry(e: Entry): Uint8Array {
  return encodeWith((w) => writeEntry(w, e));
}

export function decodeEntry(buf: Uint8Array): Entry {
  return guard('entry', () => {
    const r = new BinaryReader(buf);
    return readEntry(r, r.len);
  });
}

// ---- ConfState ----

function writeIds(w: BinaryWriter, no: number, ids: bigint[]): void {
  for (const v of ids) w.tag(no, WireType.Varint).uint64(v);
}

/** Accepts both unpacked (proto2 default) and packed repeated uint64. */
function readIds(r: BinaryReader, wt: WireType, into: bigint[]): void {
  if (wt === WireType.LengthDelimited) {
    const len = r.uint32();
    const end = r.pos + len;
    while (r.pos < end) into.push(id(r.uint64()));
  } else {
    into.push(id(r.uint64()));
  }
}

function writeConfState(w: BinaryWriter, cs: ConfState): void {
  writeIds(w, 1, cs.voters);
  writeIds(w, 2, cs.learners);
  writeIds(w, 3, cs.votersOutgoing);
  writeIds(w, 4, cs.learnersNext);
  if (cs.autoLeave) w.tag(5, WireType.Varint).bool(true);
}

function readConfState(r: BinaryReader, end: number): ConfState {
  const cs = emptyConfState();
  readFields(r, end, 'conf state', (no, wt) => {
    if (no === 1) readIds(r, wt, cs.voters);
    else if (no === 2) readIds(r, wt, cs.learners);
    else if (no === 3) readIds(r, wt, cs.votersOutgoing);
    else if (no === 4) readIds(r, wt, cs.learnersNext);
    else if (no === 5 && wt === WireType.Varint) cs.autoLeave = r.bool();
    else return false;
    return true;
  });
  return cs;
}

export function encodeConfState(cs: ConfState): Uint8Array {
  const w = new BinaryWriter();
  writeConfState(w, cs);
  return w.finish();
}

export function decodeConfState(buf: Uint8Array): ConfState {
  return guard('conf state', () => {
    const r = new BinaryReader(buf);
    return readConfState(r, r.len);
  });
}

// ---- Snapshot ----

function writeSnapshot(w: BinaryWriter, s: Snapshot): void {
  if (s.data.length > 0) w.tag(1, WireType.LengthDelimited).bytes(s.data);
  w.tag(2, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).fork();
  writeConfState(w, s.metadata.confState);
  w.join();
  w.tag(2, WireType.Varint).uint64(s.metadata.index);
  w.tag(3, WireType.Varint).uint64(s.metadata.term);
  w.join();
}

function readMetadata(r: BinaryReader, end: number): SnapshotMetadata {
  const md: SnapshotMetadata = { confState: emptyConfState(), index: 0, term: 0 };
  readFields(r, end, 'snapshot metadata', (no, wt) => {
    if (no === 1 && wt === WireType.LengthDelimited) {
      const len = r.uint32();
      md.confState = readConfState(r, r.pos + len);
    } else if (no === 2 && wt === WireType.Varint) md.index = num(r.uint64(), 'snapshot index');
    else if (no === 3 && wt === WireType.Varint) md.term = num(r.uint64(), 'snapshot term');
    else return false;
    return true;
  });
  return md;
}

function readSnapshot(r: BinaryReader, end: number): Snapshot {
  const s: Snapshot = { data: EMPTY, metadata: { confState: emptyConfState(), index: 0, term: 0 } };
  readFields(r, end, 'snapshot', (no, wt) => {
    if (no === 1 && wt === WireType.LengthDelimited) s.data = r.bytes();
    else if (no === 2 && wt === WireType.LengthDelimited) {
      const len = r.uint32();
      s.metadata = readMetadata(r, r.pos + len);
    } else return false;
    return true;
  });
  return s;
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  const w = new BinaryWriter();
  writeSnapshot(w, s);
  return w.finish();
}

export function decodeSnapshot(buf: Uint8Array): Snapshot {
  return guard('snapshot', () => {
    const r = new BinaryReader(buf);
    return readSnapshot(r, r.len);
  });
}

// ---- Message ----

export function encodeMessage(m: Message): Uint8Array {
  return encodeWith((w) => {
    w.tag(1, WireType.Varint).int32(m.type);
    w.tag(2, WireType.Varint).uint64(m.to);
    w.tag(3, WireType.Varint).uint64(m.from);
    w.tag(4, WireType.Varint).uint64(m.term);
    w.tag(5, WireType.Varint).uint64(m.logTerm);
    w.tag(6, WireType.Varint).uint64(m.index);
    for (const e of m.entries) {
      w.tag(7, WireType.LengthDelimited).fork();
      writeEntry(w, e);
      w.join();
    }
    w.tag(8, WireType.Varint).uint64(m.commit);
    if (m.snapshot !== undefined) {
      w.tag(9, WireType.LengthDelimited).fork();
      writeSnapshot(w, m.snapshot);
      w.join();
    }
    w.tag(10, WireType.Varint).bool(m.reject);
    w.tag(11, WireType.Varint).uint64(m.rejectHint);
    if (m.context.length > 0) w.tag(12, WireType.LengthDelimited).bytes(m.context);
    if (m.vote !== 0n) w.tag(13, WireType.Varint).uint64(m.vote);
  });
}

export function decodeMessage(buf: Uint8Array): Message {
  return guard('message', () => {
    const r = new BinaryReader(buf);
    const m = newMessage({ type: 0, entries: [] });
    readFields(r, r.len, 'message', (no, wt) => {
      if (wt === WireType.Varint) {
        switch (no) {
          case 1: m.type = r.int32(); return true;
          case 2: m.to = id(r.uint64()); return true;
          case 3: m.from = id(r.uint64()); return true;
          case 4: m.term = num(r.uint64(), 'message term'); return true;
          case 5: m.logTerm = num(r.uint64(), 'message log term'); return true;
          case 6: m.index = num(r.uint64(), 'message index'); return true;
          case 8: m.commit = num(r.uint64(), 'message commit'); return true;
          case 10: m.reject = r.bool(); return true;
          case 11: m.rejectHint = num(r.uint64(), 'message reject hint'); return true;
          case 13: m.vote = id(r.uint64()); return true;
        }
        return false;
      }
      if (wt !== WireType.LengthDelimited) return false;
      if (no === 7) {
        const len = r.uint32();
        m.entries.push(readEntry(r, r.pos + len));
      } else if (no === 9) {
        const len = r.uint32();
        m.snapshot = readSnapshot(r, r.pos + len);
      } else if (no === 12) m.context = r.bytes();
      else return false;
      return true;
    });
    return m;
  });
}

// ---- HardState ----

export function encodeHardState(hs: HardState): Uint8Array {
  return new BinaryWriter()
    .tag(1, WireType.Varint).uint64(hs.term)
    .tag(2, WireType.Varint).uint64(hs.vote)
    .tag(3, WireType.Varint).uint64(hs.commit)
    .finish();
}

export function decodeHardState(buf: Uint8Array): HardState {
  return guard('hard state', () => {
    const r = new BinaryReader(buf);
    const hs: HardState = { term: 0, vote: 0n, commit: 0 };
    readFields(r, r.len, 'hard state', (no, wt) => {
      if (wt !== WireType.Varint) return false;
      if (no === 1) hs.term = num(r.uint64(), 'hard state term');
      else if (no === 2) hs.vote = id(r.uint64());
      else if (no === 3) hs.commit = num(r.uint64(), 'hard state commit');
      else return false;
      return true;
    });
    return hs;
  });
}

// ---- ConfChange (v1 and v2) ----

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).uint64(cc.id);
  w.tag(2, WireType.Varint).int32(cc.type);
  w.tag(3, WireType.Varint).uint64(cc.nodeId);
  if (cc.context.length > 0) w.tag(4, WireType.LengthDelimited).bytes(cc.context);
  return w.finish();
}

export function decodeConfChange(buf: Uint8Array): ConfChange {
  return guard('conf change', () => {
    const r = new BinaryReader(buf);
    const cc: ConfChange = { id: 0n, type: 0, nodeId: 0n, context: EMPTY };
    readFields(r, r.len, 'conf change', (no, wt) => {
      if (no === 1 && wt === WireType.Varint) cc.id = id(r.uint64());
      else if (no === 2 && wt === WireType.Varint) cc.type = r.int32();
      else if (no === 3 && wt === WireType.Varint) cc.nodeId = id(r.uint64());
      else if (no === 4 && wt === WireType.LengthDelimited) cc.context = r.bytes();
      else return false;
      return true;
    });
    return cc;
  });
}

export function encodeConfChangeV2(cc: ConfChangeV2): Uint8Array {
  const w = new BinaryWriter();
  if (cc.transition !== 0) w.tag(1, WireType.Varint).int32(cc.transition);
  for (const c of cc.changes) {
    w.tag(2, WireType.LengthDelimited).fork();
    w.tag(1, WireType.Varint).int32(c.type);
    w.tag(2, WireType.Varint).uint64(c.nodeId);
    w.join();
  }
  if (cc.context.length > 0) w.tag(3, WireType.LengthDelimited).bytes(cc.context);
  return w.finish();
}

export function decodeConfChangeV2(buf: Uint8Array): ConfChangeV2 {
  return guard('conf change v2', () => {
    const r = new BinaryReader(buf);
    const cc: ConfChangeV2 = { transition: 0, changes: [], context: EMPTY };
    readFields(r, r.len, 'conf change v2', (no, wt) => {
      if (no === 1 && wt === WireType.Varint) cc.transition = r.int32();
      else if (no === 2 && wt === WireType.LengthDelimited) {
        const len = r.uint32();
        const end = r.pos + len;
        const single: ConfChangeSingle = { type: 0, nodeId: 0n };
        readFields(r, end, 'conf change single', (n2, w2) => {
          if (n2 === 1 && w2 === WireType.Varint) single.type = r.int32();
          else if (n2 === 2 && w2 === WireType.Varint) single.nodeId = id(r.uint64());
          else return false;
          return true;
        });
        cc.changes.push(single);
      } else if (no === 3 && wt === WireType.LengthDelimited) cc.context = r.bytes();
      else return false;
      return true;
    });
    return cc;
  });
}

// ---- sizes used for flow control (the protobuf size of an entry) ----

function varintLen(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 5;
  for (v = Math.floor(v / 0x800000000); v > 0; v = Math.floor(v / 128)) n++;
  return n;
}

/** The encoded size of an entry, as raftpb's Size() would report it. */
export function entrySize(e: Entry): number {
  let n = 3 + varintLen(e.type) + varintLen(e.term) + varintLen(e.index);
  if (e.data.length > 0) n += 1 + varintLen(e.data.length) + e.data.length;
  return n;
}

export function entriesSize(ents: readonly Entry[]): number {
  let n = 0;
  for (const e of ents) n += entrySize(e);
  return n;
}

/** The application payload of entries (counted against the uncommitted-size quota). */
export function payloadsSize(ents: readonly Entry[]): number {
  let n = 0;
  for (const e of ents) n += e.data.length;
  return n;
}

/** Keeps the longest prefix within maxSize, but always at least one entry. */
export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length <= 1 || maxSize === Infinity) return ents;
  let size = entrySize(ents[0]);
  let i = 1;
  for (; i < ents.length; i++) {
    size += entrySize(ents[i]);
    if (size > maxSize) break;
  }
  return i === ents.length ? ents : ents.slice(0, i);
}
