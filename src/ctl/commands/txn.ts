// txn: reads compares, success ops and failure ops from stdin, as etcdctl does.
import type { Command } from 'commander';
import { etcdserverpb } from '../../api';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { callOrFail } from './shared';
import { parseCompare, parseRequestOp } from './txn-parse';

async function readBlock<T>(ctx: CtlContext, parse: (line: string) => T): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const raw = await ctx.io.readLine();
    // etcdctl reads with bufio's ReadString: input that ends before a block's empty line is an error.
    if (raw === null) throw new CtlError(ExitCode.invalidInput, 'EOF');
    const line = raw.trim();
    if (line === '') return items;
    items.push(parse(line));
  }
}

export function registerTxnCommand(program: Command, ctx: CtlContext): void {
  program.command('txn')
    .description('Txn processes all the requests in one transaction')
    .usage('[options]')
    .argument('[args...]')
    .option('-i, --interactive', 'Input transaction in interactive mode')
    .action(async (args: string[], o: { interactive?: boolean }) => {
      if (args.length !== 0) throw badArgs('txn command does not accept argument');
      const prompt = (text: string) => { if (o.interactive) ctx.output.out(`${text}\n`); };
      prompt('compares:');
      const compare = await readBlock(ctx, parseCompare);
      prompt('success requests (get, put, del):');
      const success = await readBlock(ctx, parseRequestOp);
      prompt('failure requests (get, put, del):');
      const failure = await readBlock(ctx, parseRequestOp);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({ compare, success, failure })));
      ctx.printer.txn(resp);
    });
}
