// `cairnctl`: the etcdctl-compatible client (commands in src/ctl).
import './quiet-warnings';
import { createInterface } from 'node:readline';
import { runCtl, type CtlIo } from '../ctl';

let lines: AsyncIterator<string> | undefined;

const io: CtlIo = {
  env: process.env,
  output: {
    out: (data) => { process.stdout.write(data); },
    err: (text) => { process.stderr.write(text); },
  },
  readStdin: async () => {
    if (process.stdin.isTTY) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
  readLine: async () => {
    lines ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
    const next = await lines.next();
    return next.done ? null : next.value;
  },
  onInterrupt: (listener) => {
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  },
};

runCtl(process.argv.slice(2), io).then((code) => {
  // Let stdout drain before leaving: a pipe reader must get every line.
  process.stdout.write('', () => process.exit(code));
});
