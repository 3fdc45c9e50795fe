// make-mirror: copies the keys under a prefix from the cluster of --endpoints to a destination
// cluster, then keeps copying their changes, as etcdctl 3.4 does: the base at one revision in pages
// of 1,000 keys (each key one put), then a watch from the next revision whose events of one source
// revision go to the destination in one txn, so the destination moves revision by revision. The
// number of keys and events copied so far is printed every 30 seconds. It runs until interrupted, or
// until an error (a compacted revision ends the watch: the mirror cannot know what it missed).
import type { Command } from 'commander';
import { etcdserverpb, mvccpb, prefixEnd, prefixRange } from '../../api';
import { EtcdClient } from '../../client';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { parseGoBool } from '../global';
import { ResumingWatch } from '../watch-stream';

const BATCH = 1000n;
const REPORT_MS = 30_000;
const { KVService: KV } = etcdserverpb;

interface MirrorOptions {
  prefix: string;
  destCert: string;
  destKey: string;
  destCacert: string;
  destInsecureTransport: string;
}

/** A key with its first `from` replaced by `to` (Go's strings.Replace(key, from, to, 1): an empty `from` prefixes `to`). */
function renamer(from: Buffer, to: Buffer): (key: Uint8Array) => Buffer {
  return (key) => {
    const k = Buffer.from(key);
    const at = k.indexOf(from);
    return at < 0 ? k : Buffer.concat([k.subarray(0, at), to, k.subarray(at + from.length)]);
  };
}

/** The value of the last `--flag value` or `--flag=value` on the command line, '' when none. */
function lastValue(argv: readonly string[], flag: string): string {
  let value = '';
  argv.forEach((a, i) => {
    if (a === flag) value = argv[i + 1] ?? '';
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  });
  return value;
}

class Mirror {
  total = 0;

  constructor(private readonly source: EtcdClient, private readonly dest: EtcdClient, private readonly prefix: Buffer, private readonly rename: (key: Uint8Array) => Buffer) {}

  /** Copies every key at the current revision; returns that revision. */
  async copyBase(): Promise<bigint> {
    const now = await this.source.unary(KV.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from('foo') }), { idempotent: true });
    const revision = now.header?.revision ?? 0n;
    const everything = this.prefix.length === 0;
    let key = everything ? Buffer.from([0]) : this.prefix;
    const rangeEnd = everything ? Buffer.from([0]) : prefixEnd(this.prefix);
    for (;;) {
      const page = await this.source.unary(KV.range, etcdserverpb.RangeRequest.fromPartial({ key, rangeEnd, limit: BATCH, revision }), { idempotent: true });
      for (const kv of page.kvs) {
        await this.dest.unary(KV.put, etcdserverpb.PutRequest.fromPartial({ key: this.rename(kv.key), value: kv.value }));
        this.total++;
      }
      if (!page.more || page.kvs.length === 0) return revision;
      key = Buffer.concat([Buffer.from(page.kvs[page.kvs.length - 1].key), Buffer.from([0])]);
    }
  }

  /** Follows the changes from `revision`; ends only with an error (or when the source ends the watch). */
  async follow(revision: bigint): Promise<void> {
    let failure: Error | undefined;
    let applying = Promise.resolve();
    const watch = new ResumingWatch(this.source, (resp) => {
      applying = applying.then(() => (failure === undefined ? this.apply(resp) : undefined)).catch((err: Error) => {
        failure ??= err;
        watch.close();
      });
    });
    await watch.open();
    watch.create({ ...prefixRange(this.prefix), startRevision: revision });
    await watch.done;
    await applying;
    if (failure !== undefined) throw failure;
  }

  /** One watch response: its events in txns of one source revision each. */
  private async apply(resp: etcdserverpb.WatchResponse): Promise<void> {
    if (resp.compactRevision !== 0n) throw new Error('etcdserver: mvcc: required revision has been compacted');
    let ops: etcdserverpb.RequestOp[] = [];
    let lastRevision = 0n;
    for (const ev of resp.events) {
      const kv = ev.kv ?? mvccpb.KeyValue.fromPartial({});
      if (lastRevision !== 0n && kv.modRevision > lastRevision) {
        await this.commit(ops);
        ops = [];
      }
      lastRevision = kv.modRevision;
      ops.push(ev.type === mvccpb.Event_EventType.DELETE
        ? etcdserverpb.RequestOp.fromPartial({ requestDeleteRange: { key: this.rename(kv.key) } })
        : etcdserverpb.RequestOp.fromPartial({ requestPut: { key: this.rename(kv.key), value: kv.value } }));
      this.total++;
    }
    if (ops.length > 0) await this.commit(ops);
  }

  private async commit(ops: etcdserverpb.RequestOp[]): Promise<void> {
    await this.dest.unary(KV.txn, etcdserverpb.TxnRequest.fromPartial({ success: ops }));
  }
}

export function registerMakeMirrorCommand(program: Command, ctx: CtlContext): void {
  program.command('make-mirror')
    .description('Makes a mirror at the destination etcd cluster')
    .usage('[options] <destination>')
    .argument('[args...]')
    .option('--prefix <prefix>', 'Key-value prefix to mirror', '')
    .option('--dest-prefix <prefix>', 'destination prefix to mirror a prefix to a different prefix in the destination cluster', '')
    .option('--no-dest-prefix', 'mirror key-values to the root of the destination cluster')
    .option('--dest-cert <file>', 'Identify secure client using this TLS certificate file for the destination cluster', '')
    .option('--dest-key <file>', 'Identify secure client using this TLS key file', '')
    .option('--dest-cacert <file>', 'Verify certificates of TLS enabled secure servers using this CA bundle', '')
    .option('--dest-insecure-transport <bool>', 'Disable transport security for client connections', 'true')
    .action(async (args: string[], o: MirrorOptions) => {
      if (args.length !== 1) throw badArgs('make-mirror takes one destination argument');
      // pflag keeps --dest-prefix and --no-dest-prefix apart; commander folds them into one attribute
      const noDestPrefix = ctx.argv.some((a) => a === '--no-dest-prefix' || (a.startsWith('--no-dest-prefix=') && a !== '--no-dest-prefix=false'));
      const destPrefixText = lastValue(ctx.argv, '--dest-prefix');
      if (noDestPrefix && destPrefixText !== '') throw badArgs('`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one');
      const insecure = parseGoBool('dest-insecure-transport', o.destInsecureTransport);
      const g = ctx.global;
      const dest = new EtcdClient({
        endpoints: [args[0]],
        dialTimeoutMs: g.dialTimeoutMs,
        commandTimeoutMs: g.commandTimeoutMs,
        tls: { caFile: o.destCacert || undefined, certFile: o.destCert || undefined, keyFile: o.destKey || undefined, enabled: !insecure },
      });
      const destPrefix = noDestPrefix || destPrefixText !== '' ? destPrefixText : o.prefix;
      const mirror = new Mirror(ctx.client(), dest, Buffer.from(o.prefix), renamer(Buffer.from(o.prefix), Buffer.from(destPrefix)));
      const report = setInterval(() => ctx.output.out(`${mirror.total}\n`), REPORT_MS);
      report.unref();
      try {
        await mirror.follow((await mirror.copyBase()) + 1n);
      } finally {
        clearInterval(report);
        dest.close();
      }
      // etcdctl prints the nil error it returns when the source ends the watch
      throw new CtlError(ExitCode.error, '<nil>');
    });
}
