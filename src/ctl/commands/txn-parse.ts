// etcdctl's txn input language: compare lines, then success ops, then failure ops, each block ended
// by an empty line. A compare is `target("key") op "value"` (targets ver/version, c/create, m/mod,
// val/value, lease; ops = != > <); an op is a put, get or del command line with its flags.
import { etcdserverpb } from '../../api';
import { CtlError, ExitCode } from '../exit';
import { keyRangeFromArgs, sortOptions } from './kv';
import { parseHexId, parseInt64 } from './shared';

const { Compare_CompareResult: Result, Compare_CompareTarget: Target } = etcdserverpb;

function invalidInput(message: string): CtlError {
  return new CtlError(ExitCode.invalidInput, message);
}

/** Go's %q reading of a double-quoted string. */
function unquote(text: string): string {
  try {
    return JSON.parse(text.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
  } catch {
    throw invalidInput(`malformed quoted string ${text}`);
  }
}

export function parseCompare(line: string): etcdserverpb.Compare {
  const paren = line.indexOf('(');
  if (paren < 0) throw invalidInput(`malformed comparison: ${line}`);
  const target = line.slice(0, paren);
  const m = /^("(?:[^"\\]|\\.)*")\)\s+(\S+)\s+("(?:[^"\\]|\\.)*")$/.exec(line.slice(paren + 1));
  if (!m) throw invalidInput(`malformed comparison: ${line}`);
  const key = Buffer.from(unquote(m[1]));
  const op = m[2];
  const value = unquote(m[3]);
  const results: Record<string, etcdserverpb.Compare_CompareResult> = { '=': Result.EQUAL, '!=': Result.NOT_EQUAL, '>': Result.GREATER, '<': Result.LESS };
  const result = results[op];
  if (result === undefined) throw invalidInput(`malformed comparison: ${line} (unknown op ${op})`);
  const number = () => {
    if (!/^[+-]?\d+$/.test(value)) throw invalidInput(`invalid txn compare request: ${line}`);
    return BigInt(value);
  };
  switch (target) {
    case 'ver': case 'version': return etcdserverpb.Compare.fromPartial({ key, result, target: Target.VERSION, version: number() });
    case 'c': case 'create': return etcdserverpb.Compare.fromPartial({ key, result, target: Target.CREATE, createRevision: number() });
    case 'm': case 'mod': return etcdserverpb.Compare.fromPartial({ key, result, target: Target.MOD, modRevision: number() });
    case 'val': case 'value': return etcdserverpb.Compare.fromPartial({ key, result, target: Target.VALUE, value: Buffer.from(value) });
    case 'lease': return etcdserverpb.Compare.fromPartial({ key, result, target: Target.LEASE, lease: number() });
    default: throw invalidInput(`malformed comparison: ${line} (unknown target ${target})`);
  }
}

/** etcdctl's argify: words, "double quoted" (Go escapes) and 'single quoted' strings. */
export function argify(line: string): string[] {
  const words = line.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\s]\S*[^'"\s]?/g) ?? [];
  return words.map((w) => (w.startsWith("'") ? w.slice(1, -1) : w.startsWith('"') ? unquote(w) : w));
}

interface OpFlags {
  readonly bools: Set<string>;
  readonly values: Map<string, string>;
  readonly args: string[];
}

function splitFlags(words: readonly string[], line: string, boolNames: readonly string[], valueNames: readonly string[]): OpFlags {
  const bools = new Set<string>();
  const values = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(words[i]);
    if (!m) { args.push(words[i]); continue; }
    if (boolNames.includes(m[1])) {
      if (m[2] === undefined || /^(1|t|true|TRUE|True)$/.test(m[2])) bools.add(m[1]);
    } else if (valueNames.includes(m[1])) {
      const value = m[2] ?? words[++i];
      if (value === undefined) throw invalidInput(`invalid txn request: ${line}`);
      values.set(m[1], value);
    } else {
      throw invalidInput(`invalid txn request: ${line}`);
    }
  }
  return { bools, values, args };
}

export function parseRequestOp(line: string): etcdserverpb.RequestOp {
  const words = argify(line);
  if (words.length < 2) throw invalidInput(`invalid txn compare request: ${line}`);
  const [command, ...rest] = words;
  const asInput = <T>(build: () => T): T => {
    try {
      return build();
    } catch {
      throw invalidInput(`invalid txn request: ${line}`);
    }
  };
  switch (command) {
    case 'put': {
      const f = splitFlags(rest, line, ['prev-kv', 'ignore-value', 'ignore-lease'], ['lease']);
      const ignoreValue = f.bools.has('ignore-value');
      if (f.args.length === 0 || (!ignoreValue && f.args.length < 2) || (ignoreValue && f.args.length > 1)) throw invalidInput(`invalid txn request: ${line}`);
      const lease = asInput(() => parseHexId(f.values.get('lease') ?? '0', (m) => m));
      return { requestPut: etcdserverpb.PutRequest.fromPartial({
        key: Buffer.from(f.args[0]), value: Buffer.from(ignoreValue ? '' : f.args[1]), lease,
        prevKv: f.bools.has('prev-kv'), ignoreValue, ignoreLease: f.bools.has('ignore-lease'),
      }) };
    }
    case 'get': {
      const f = splitFlags(rest, line, ['prefix', 'from-key', 'keys-only', 'count-only', 'print-value-only'], ['limit', 'rev', 'sort-by', 'order', 'consistency']);
      return asInput(() => {
        const range = keyRangeFromArgs('get', f.args, { prefix: f.bools.has('prefix'), fromKey: f.bools.has('from-key') });
        const rev = parseInt64('rev', f.values.get('rev') ?? '0');
        return { requestRange: etcdserverpb.RangeRequest.fromPartial({
          ...range, ...sortOptions(f.values.get('order'), f.values.get('sort-by')),
          limit: parseInt64('limit', f.values.get('limit') ?? '0'), revision: rev > 0n ? rev : 0n,
          serializable: f.values.get('consistency') === 's', keysOnly: f.bools.has('keys-only'), countOnly: f.bools.has('count-only'),
        }) };
      });
    }
    case 'del': {
      const f = splitFlags(rest, line, ['prefix', 'from-key', 'prev-kv'], []);
      return asInput(() => ({ requestDeleteRange: etcdserverpb.DeleteRangeRequest.fromPartial({
        ...keyRangeFromArgs('del', f.args, { prefix: f.bools.has('prefix'), fromKey: f.bools.has('from-key') }), prevKv: f.bools.has('prev-kv'),
      }) }));
    }
    default:
      throw invalidInput(`invalid txn request: ${line}`);
  }
}
