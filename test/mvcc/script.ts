// Script tests for the store, in the manner of etcd-io/raft's datadriven files: each case is
// command lines, a `----` line, then the expected output, cases separated by blank lines.
// Commands (apart from restart) use only what the etcd API offers, so a script can be replayed
// against real etcd by hand (etcdctl) to confirm its expectations.
//
//   put <key> <value> [prev-kv] [ignore-value] [ignore-lease]
//   del <key> [<end> | prefix | from-key] [prev-kv]
//   range <key> [<end> | prefix | from-key] [rev=N] [limit=N] [sort=target:order] [keys-only]
//         [count-only] [min-mod=N] [max-mod=N] [min-create=N] [max-create=N]
//   txn                      followed by lines: `if <target> <key> <op> <operand>`,
//                            `then <put|del|range ...>`, `else <put|del|range ...>`
//   compact <rev>
//   watch <name> <key> [<end> | prefix | from-key] [rev=N] [prev-kv] [no-put] [no-delete]
//   events <name> <count>    reads responses of that watcher until <count> events arrived
//   restart                  closes and reopens the store from disk
//
// CAIRN_REWRITE=1 rewrites the expected output in place; commit only diffs you can explain.

import type { Compare, KeyValue, RangeRequest, RequestOp, ResponseOp, WatchResponse, WatchStream } from '../../src/mvcc';
import { CompareResult, CompareTarget, SortOrder, SortTarget } from '../../src/mvcc';
import type { TestStore } from './helpers';
import { nextWithin } from './watch-helpers';

export interface ScriptCase {
  /** 1-based line of the first command line */
  line: number;
  input: string[];
  expected: string[];
}

export function parseScript(text: string): ScriptCase[] {
  const lines = text.split('\n');
  const cases: ScriptCase[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i].trim() === '' || lines[i].startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    const input: string[] = [];
    while (i < lines.length && lines[i] !== '----') input.push(lines[i++]);
    if (i >= lines.length) throw new Error(`line ${start + 1}: case without a ---- line`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') expected.push(lines[i++]);
    cases.push({ line: start + 1, input, expected });
  }
  return cases;
}

export function formatScript(cases: { input: string[]; output: string[] }[], header: string[]): string {
  const blocks = cases.map((c) => [...c.input, '----', ...c.output].join('\n'));
  return [...header, ...blocks].join('\n\n') + '\n';
}

function showKv(kv: KeyValue): string {
  const lease = kv.lease !== 0n ? ` lease=${kv.lease}` : '';
  return `${kv.key}=${kv.value} create=${kv.createRevision} mod=${kv.modRevision} version=${kv.version}${lease}`;
}

function rangeEndOf(key: string, arg: string | undefined): Buffer | undefined {
  if (arg === undefined) return undefined;
  if (arg === 'from-key') return Buffer.of(0);
  if (arg === 'prefix') {
    const end = Buffer.from(key);
    for (let i = end.length - 1; i >= 0; i--) {
      if (end[i] < 0xff) {
        end[i]++;
        return end.subarray(0, i + 1);
      }
    }
    return Buffer.of(0);
  }
  return Buffer.from(arg);
}

interface Args {
  positional: string[];
  flags: Set<string>;
  opts: Map<string, string>;
}

const FLAGS = new Set(['prev-kv', 'ignore-value', 'ignore-lease', 'keys-only', 'count-only', 'no-put', 'no-delete']);

function parseArgs(words: string[]): Args {
  const args: Args = { positional: [], flags: new Set(), opts: new Map() };
  for (const w of words) {
    const eq = w.indexOf('=');
    if (FLAGS.has(w)) args.flags.add(w);
    else if (eq > 0 && /^[a-z-]+$/.test(w.slice(0, eq))) args.opts.set(w.slice(0, eq), w.slice(eq + 1));
    else args.positional.push(w);
  }
  return args;
}

function num(args: Args, name: string): number | undefined {
  const v = args.opts.get(name);
  return v === undefined ? undefined : Number(v);
}

const SORT_TARGETS: Record<string, SortTarget> = { key: 0, version: 1, create: 2, mod: 3, value: 4 };
const SORT_ORDERS: Record<string, SortOrder> = { none: 0, ascend: 1, descend: 2 };

function rangeRequest(args: Args): RangeRequest {
  const [key, end] = args.positional;
  const sort = args.opts.get('sort');
  const [target, order] = sort === undefined ? ['key', 'none'] : sort.split(':');
  return {
    key: Buffer.from(key),
    rangeEnd: rangeEndOf(key, end),
    revision: num(args, 'rev'),
    limit: num(args, 'limit'),
    sortTarget: SORT_TARGETS[target] ?? SortTarget.KEY,
    sortOrder: SORT_ORDERS[order ?? 'ascend'] ?? SortOrder.ASCEND,
    keysOnly: args.flags.has('keys-only'),
    countOnly: args.flags.has('count-only'),
    minModRevision: num(args, 'min-mod'),
    maxModRevision: num(args, 'max-mod'),
    minCreateRevision: num(args, 'min-create'),
    maxCreateRevision: num(args, 'max-create'),
  };
}

function requestOp(words: string[]): RequestOp {
  const [cmd, ...rest] = words;
  const args = parseArgs(rest);
  const [key, second] = args.positional;
  switch (cmd) {
    case 'put':
      return {
        put: {
          key: Buffer.from(key),
          value: Buffer.from(second ?? ''),
          prevKv: args.flags.has('prev-kv'),
          ignoreValue: args.flags.has('ignore-value'),
          ignoreLease: args.flags.has('ignore-lease'),
        },
      };
    case 'del':
      return { deleteRange: { key: Buffer.from(key), rangeEnd: rangeEndOf(key, second), prevKv: args.flags.has('prev-kv') } };
    case 'range':
      return { range: rangeRequest(args) };
    default:
      throw new Error(`unknown op ${JSON.stringify(cmd)}`);
  }
}

function showResponse(resp: ResponseOp): string[] {
  if (resp.put !== undefined) {
    const out = [`put revision=${resp.put.revision}`];
    if (resp.put.prevKv !== undefined) out.push(`  prev ${showKv(resp.put.prevKv)}`);
    return out;
  }
  if (resp.deleteRange !== undefined) {
    const d = resp.deleteRange;
    return [`del revision=${d.revision} deleted=${d.deleted}`, ...d.prevKvs.map((kv) => `  prev ${showKv(kv)}`)];
  }
  if (resp.range !== undefined) {
    const r = resp.range;
    return [`range revision=${r.revision} count=${r.count}${r.more ? ' more' : ''}`, ...r.kvs.map((kv) => `  ${showKv(kv)}`)];
  }
  return ['(empty op)'];
}

const COMPARE_TARGETS: Record<string, CompareTarget> = { version: 0, create: 1, mod: 2, value: 3, lease: 4 };
const COMPARE_OPS: Record<string, CompareResult> = { '=': CompareResult.EQUAL, '>': CompareResult.GREATER, '<': CompareResult.LESS, '!=': CompareResult.NOT_EQUAL };

/** Runs scripts against one store; watchers live on one stream. */
export class ScriptRunner {
  private readonly t: TestStore;
  private stream: WatchStream | undefined;
  private readonly watchers = new Map<string, number>();
  private readonly buffered: WatchResponse[] = [];

  constructor(t: TestStore) {
    this.t = t;
  }

  async run(input: string[]): Promise<string[]> {
    try {
      return await this.runUnsafe(input);
    } catch (err) {
      return [`error: ${err instanceof Error ? err.message : String(err)}`];
    }
  }

  private async runUnsafe(input: string[]): Promise<string[]> {
    const [cmd, ...rest] = input[0].trim().split(/\s+/);
    const args = parseArgs(rest);
    const t = this.t;
    switch (cmd) {
      case 'put':
      case 'del':
        return showResponse(this.writeOp(requestOp(input[0].trim().split(/\s+/))));
      case 'range':
        return showResponse({ range: t.store.range(rangeRequest(args)) });
      case 'txn':
        return this.txn(input.slice(1));
      case 'compact': {
        const resp = t.apply((w) => w.compact(Number(args.positional[0])));
        await resp.physical;
        return [`compact revision=${resp.revision}`];
      }
      case 'watch':
        return this.watch(args);
      case 'events':
        return this.events(args.positional[0], Number(args.positional[1]));
      case 'restart':
        this.stream = undefined;
        this.watchers.clear();
        this.buffered.length = 0;
        await t.reopen();
        return [`revision=${t.store.currentRevision} compact=${t.store.compactRevision}`];
      default:
        throw new Error(`unknown command ${JSON.stringify(cmd)}`);
    }
  }

  private writeOp(op: RequestOp): ResponseOp {
    return this.t.apply((w) => {
      if (op.put !== undefined) return { put: w.put(op.put) };
      if (op.deleteRange !== undefined) return { deleteRange: w.deleteRange(op.deleteRange) };
      throw new Error('not a write');
    });
  }

  private txn(lines: string[]): string[] {
    const compare: Compare[] = [];
    const success: RequestOp[] = [];
    const failure: RequestOp[] = [];
    for (const line of lines) {
      const [kind, ...words] = line.trim().split(/\s+/);
      if (kind === 'if') {
        const [target, key, op, operand = ''] = words;
        const c: Compare = { key: Buffer.from(key), target: COMPARE_TARGETS[target], result: COMPARE_OPS[op] };
        if (c.target === undefined || c.result === undefined) throw new Error(`bad compare: ${line}`);
        if (c.target === CompareTarget.VALUE) c.value = Buffer.from(operand);
        else if (c.target === CompareTarget.LEASE) c.lease = BigInt(operand);
        else if (c.target === CompareTarget.VERSION) c.version = Number(operand);
        else if (c.target === CompareTarget.CREATE) c.createRevision = Number(operand);
        else c.modRevision = Number(operand);
        compare.push(c);
      } else if (kind === 'then') success.push(requestOp(words));
      else if (kind === 'else') failure.push(requestOp(words));
      else throw new Error(`bad txn line: ${line}`);
    }
    const resp = this.t.apply((w) => w.txn({ compare, success, failure }));
    return [`txn revision=${resp.revision} succeeded=${resp.succeeded}`, ...resp.responses.flatMap(showResponse)];
  }

  private watch(args: Args): string[] {
    const [name, key, end] = args.positional;
    this.stream ??= this.t.store.watchStream();
    const id = this.stream.watch({
      key: Buffer.from(key),
      rangeEnd: rangeEndOf(key, end),
      startRevision: num(args, 'rev'),
      prevKv: args.flags.has('prev-kv'),
      filters: { noPut: args.flags.has('no-put'), noDelete: args.flags.has('no-delete') },
    });
    this.watchers.set(name, id);
    return [`watch ${name} id=${id}`];
  }

  private async events(name: string, count: number): Promise<string[]> {
    const id = this.watchers.get(name);
    if (id === undefined || this.stream === undefined) throw new Error(`no watcher ${name}`);
    const out: string[] = [];
    let got = 0;
    for (let reads = 0; got < count; reads++) {
      if (reads > 10000) throw new Error('too many responses');
      const i = this.buffered.findIndex((r) => r.watchId === id);
      const resp = i >= 0 ? this.buffered.splice(i, 1)[0] : await nextWithin(this.stream);
      if (resp.watchId !== id) {
        this.buffered.push(resp);
        continue;
      }
      if (resp.compactRevision > 0) {
        out.push(`${name} compacted compact-revision=${resp.compactRevision}`);
        break;
      }
      out.push(`${name} revision=${resp.revision}`);
      for (const ev of resp.events) {
        out.push(`  ${ev.type === 0 ? 'PUT' : 'DELETE'} ${showKv(ev.kv)}`);
        if (ev.prevKv !== undefined) out.push(`    prev ${showKv(ev.prevKv)}`);
        got++;
      }
    }
    return out;
  }
}
