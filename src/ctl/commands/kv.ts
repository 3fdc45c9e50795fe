// put, get, del, compaction: etcdctl's key commands.
import type { Command } from 'commander';
import { etcdserverpb, fromKeyRange, prefixRange } from '../../api';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { callOrFail, parseHexId, parseInt64 } from './shared';

const { RangeRequest_SortOrder: SortOrder, RangeRequest_SortTarget: SortTarget } = etcdserverpb;

/** The [key, rangeEnd) a get or del means, as etcdctl builds it from its arguments and flags. */
export function keyRangeFromArgs(command: string, args: readonly string[], opts: { prefix?: boolean; fromKey?: boolean }): { key: Buffer; rangeEnd: Buffer } {
  if (args.length === 0) throw badArgs(`${command} command needs one argument as key and an optional argument as range_end`);
  if (opts.prefix && opts.fromKey) throw badArgs('`--prefix` and `--from-key` cannot be set at the same time, choose one');
  if (args.length > 1 && (opts.prefix || opts.fromKey)) throw badArgs('too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
  if (opts.prefix) return prefixRange(args[0]);
  if (opts.fromKey) return fromKeyRange(args[0]);
  return { key: Buffer.from(args[0]), rangeEnd: args.length > 1 ? Buffer.from(args[1]) : Buffer.alloc(0) };
}

export function sortOptions(order: string | undefined, target: string | undefined): { sortOrder: etcdserverpb.RangeRequest_SortOrder; sortTarget: etcdserverpb.RangeRequest_SortTarget } {
  let sortOrder = SortOrder.NONE;
  switch ((order ?? '').toUpperCase()) {
    case 'ASCEND': sortOrder = SortOrder.ASCEND; break;
    case 'DESCEND': sortOrder = SortOrder.DESCEND; break;
    case '': break;
    default: throw new CtlError(ExitCode.badFeature, `bad sort order ${order}`);
  }
  let sortTarget = SortTarget.KEY;
  switch ((target ?? '').toUpperCase()) {
    case 'CREATE': sortTarget = SortTarget.CREATE; break;
    case 'KEY': case '': break;
    case 'MODIFY': sortTarget = SortTarget.MOD; break;
    case 'VALUE': sortTarget = SortTarget.VALUE; break;
    case 'VERSION': sortTarget = SortTarget.VERSION; break;
    default: throw new CtlError(ExitCode.badFeature, `bad sort target ${target}`);
  }
  // Keys come sorted ascending anyway: clientv3 drops that order so the server need not sort.
  if (sortTarget === SortTarget.KEY && sortOrder === SortOrder.ASCEND) sortOrder = SortOrder.NONE;
  return { sortOrder, sortTarget };
}

export function registerKvCommands(program: Command, ctx: CtlContext): void {
  program.command('put')
    .description('Puts the given key into the store')
    .usage('[options] <key> <value> (<value> can also be given from stdin)')
    .argument('[args...]')
    .option('--lease <id>', 'lease ID (in hexadecimal) to attach to the key', '0')
    .option('--prev-kv', 'return the previous key-value pair before modification')
    .option('--ignore-value', 'updates the key using its current value')
    .option('--ignore-lease', 'updates the key using its current lease')
    .action(async (args: string[], o: { lease: string; prevKv?: boolean; ignoreValue?: boolean; ignoreLease?: boolean }) => {
      if (args.length === 0) throw badArgs('put command needs 1 argument and input from stdin or 2 arguments');
      let value: Buffer;
      if (o.ignoreValue) {
        if (args.length > 1) throw badArgs("put command needs only 1 argument when 'ignore-value' is set");
        value = Buffer.alloc(0);
      } else if (args.length > 1) {
        value = Buffer.from(args[1]);
      } else {
        value = await ctx.io.readStdin();
        if (value.length === 0) throw badArgs('put command needs 1 argument and input from stdin or 2 arguments');
      }
      const lease = parseHexId(o.lease, (m) => `bad lease ID (${m}), expecting ID in Hex`);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.KVService.put, etcdserverpb.PutRequest.fromPartial({
        key: Buffer.from(args[0]), value, lease, prevKv: !!o.prevKv, ignoreValue: !!o.ignoreValue, ignoreLease: !!o.ignoreLease,
      })));
      ctx.printer.put(resp);
    });

  program.command('get')
    .description('Gets the key or a range of keys')
    .usage('[options] <key> [range_end]')
    .argument('[args...]')
    .option('--consistency <l|s>', 'Linearizable(l) or Serializable(s)', 'l')
    .option('--order <order>', 'Order of results; ASCEND or DESCEND (ASCEND by default)', '')
    .option('--sort-by <target>', 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION', '')
    .option('--limit <n>', 'Maximum number of results', '0')
    .option('--prefix', 'Get keys with matching prefix')
    .option('--from-key', 'Get keys that are greater than or equal to the given key using byte compare')
    .option('--rev <n>', 'Specify the kv revision', '0')
    .option('--keys-only', 'Get only the keys')
    .option('--count-only', 'Get only the count')
    .option('--print-value-only', 'Only write values when using the "simple" output format')
    .action(async (args: string[], o: { consistency: string; order: string; sortBy: string; limit: string; prefix?: boolean; fromKey?: boolean; rev: string; keysOnly?: boolean; countOnly?: boolean; printValueOnly?: boolean }) => {
      const range = keyRangeFromArgs('get', args, o);
      if (o.keysOnly && o.countOnly) throw badArgs('`--keys-only` and `--count-only` cannot be set at the same time, choose one');
      if (o.consistency !== 'l' && o.consistency !== 's') throw new CtlError(ExitCode.badFeature, `unknown consistency flag ${JSON.stringify(o.consistency)}`);
      const limit = parseInt64('limit', o.limit);
      const rev = parseInt64('rev', o.rev);
      const sort = sortOptions(o.order, o.sortBy);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({
        ...range, limit, revision: rev > 0n ? rev : 0n, ...sort, serializable: o.consistency === 's', keysOnly: !!o.keysOnly, countOnly: !!o.countOnly,
      }), { idempotent: true }));
      if (o.countOnly && ctx.global.output !== 'fields') throw badArgs('--count-only is only for `--write-out=fields`');
      if (o.printValueOnly && ctx.global.output !== 'simple') throw badArgs('print-value-only is only for `--write-out=simple`');
      ctx.printer.get(resp, { valueOnly: !!o.printValueOnly });
    });

  program.command('del')
    .description('Removes the specified key or range of keys [key, range_end)')
    .usage('[options] <key> [range_end]')
    .argument('[args...]')
    .option('--prefix', 'delete keys with matching prefix')
    .option('--prev-kv', 'return deleted key-value pairs')
    .option('--from-key', 'delete keys that are greater than or equal to the given key using byte compare')
    .action(async (args: string[], o: { prefix?: boolean; prevKv?: boolean; fromKey?: boolean }) => {
      const range = keyRangeFromArgs('del', args, o);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.KVService.deleteRange,
        etcdserverpb.DeleteRangeRequest.fromPartial({ ...range, prevKv: !!o.prevKv })));
      ctx.printer.del(resp);
    });

  program.command('compaction')
    .description('Compacts the event history in etcd')
    .usage('[options] <revision>')
    .argument('[args...]')
    .option('--physical', "'true' to wait for compaction to physically remove all old revisions")
    .action(async (args: string[], o: { physical?: boolean }) => {
      if (args.length !== 1) throw badArgs('compaction command needs 1 argument');
      const rev = parseInt64(null, args[0], ExitCode.error);
      await callOrFail(ctx.client().unary(etcdserverpb.KVService.compact, etcdserverpb.CompactionRequest.fromPartial({ revision: rev, physical: !!o.physical })));
      ctx.output.out(`compacted revision ${rev}\n`);
    });
}
