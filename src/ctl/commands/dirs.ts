// ls, mkdir, rmdir: the v2-style directory commands of etcd's guides, on v3 keys with "/" as the
// separator. A directory is a key prefix "DIR/"; mkdir writes an empty marker key "DIR/" so an empty
// directory can exist; rmdir removes that marker only when nothing else lies under DIR/ (checked and
// deleted in one txn, so a concurrent put under DIR/ makes it fail instead of orphaning the key).
import type { Command } from 'commander';
import { etcdserverpb, prefixEnd, prefixRange } from '../../api';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { callOrFail } from './shared';

/** "/a/b/" and "a/b" -> "/a/b"; "" and "/" -> "" (the root). */
export function normaliseDir(dir: string): string {
  const trimmed = dir.replace(/\/+$/, '');
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The entries `ls` prints for these keys under dir: children, or every descendant when recursive. */
export function listEntries(dir: string, keys: readonly string[], recursive: boolean): string[] {
  const base = `${dir}/`;
  const out = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(base)) continue;
    const rest = key.slice(base.length);
    if (rest === '') continue; // the directory's own marker
    const parts = rest.split('/');
    const depth = recursive ? parts.length : 1;
    for (let i = 1; i <= depth; i++) {
      const entry = base + parts.slice(0, i).join('/');
      if (parts.slice(0, i).join('/') !== '' && !(i === parts.length && parts[i - 1] === '')) out.add(entry);
    }
  }
  return [...out].sort();
}

function v2Error(code: number, text: string, dir: string): CtlError {
  return new CtlError(ExitCode.error, `${code}: ${text} (${dir === '' ? '/' : dir})`);
}

export function registerDirCommands(program: Command, ctx: CtlContext): void {
  program.command('ls').description('List a directory (v2 style, on keys with "/" as the separator)').usage('[--recursive] [DIR]').argument('[args...]')
    .option('-r, --recursive', 'list every entry below the directory')
    .action(async (args: string[], o: { recursive?: boolean }) => {
      if (args.length > 1) throw badArgs('ls command takes at most one directory');
      const dir = normaliseDir(args[0] ?? '/');
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ ...prefixRange(`${dir}/`), keysOnly: true }), { idempotent: true }));
      if (dir !== '' && resp.kvs.length === 0) {
        const plain = await callOrFail(ctx.client().unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from(dir), countOnly: true }), { idempotent: true }));
        if (plain.count > 0n) { ctx.output.out(`${dir}\n`); return; }
        throw v2Error(100, 'Key not found', dir);
      }
      for (const entry of listEntries(dir, resp.kvs.map((kv) => Buffer.from(kv.key).toString()), !!o.recursive)) ctx.output.out(`${entry}\n`);
    });

  program.command('mkdir').description('Make a directory (an empty marker key "DIR/")').usage('DIR').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('mkdir command needs one argument: the directory');
      const dir = normaliseDir(args[0]);
      if (dir === '') throw v2Error(102, 'Not a file', dir);
      const under = prefixRange(`${dir}/`);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
        compare: [
          { key: under.key, rangeEnd: under.rangeEnd, target: etcdserverpb.Compare_CompareTarget.VERSION, result: etcdserverpb.Compare_CompareResult.EQUAL, version: 0n },
          { key: Buffer.from(dir), target: etcdserverpb.Compare_CompareTarget.VERSION, result: etcdserverpb.Compare_CompareResult.EQUAL, version: 0n },
        ],
        success: [{ requestPut: { key: Buffer.from(`${dir}/`), value: Buffer.alloc(0) } }],
      })));
      if (!resp.succeeded) throw v2Error(105, 'Key already exists', dir);
    });

  program.command('rmdir').description('Remove an empty directory').usage('DIR').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('rmdir command needs one argument: the directory');
      const dir = normaliseDir(args[0]);
      if (dir === '') throw v2Error(107, 'Root is read only', dir);
      const marker = Buffer.from(`${dir}/`);
      const below = { key: Buffer.concat([marker, Buffer.from([0])]), rangeEnd: prefixEnd(marker) };
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
        compare: [{ ...below, target: etcdserverpb.Compare_CompareTarget.VERSION, result: etcdserverpb.Compare_CompareResult.EQUAL, version: 0n }],
        success: [{ requestDeleteRange: { key: marker } }],
      })));
      if (!resp.succeeded) throw v2Error(108, 'Directory not empty', dir);
      const deleted = resp.responses[0]?.responseDeleteRange?.deleted ?? 0n;
      if (deleted === 0n) throw v2Error(100, 'Key not found', dir);
    });
}
