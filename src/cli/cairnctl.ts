// `cairnctl`: the etcdctl-compatible client (commands in src/ctl).
import './quiet-warnings';
import { createInterface } from 'node:readline';
import { isatty } from 'node:tty';
import { runCtl, terminalSecretReader, type CtlIo } from '../ctl';

let lines: AsyncIterator<string> | undefined;

// Password prompts only on a terminal. They go to stdout as etcdctl's do, or to stderr when stdout
// is redirected, so that a prompt is seen and stays out of the command's output.
const readSecret = isatty(0)
  ? terminalSecretReader(process.stdin, {
    output: isatty(1) || !isatty(2) ? process.stdout : process.stderr,
    exit: (code) => process.exit(code),
  })
  : undefined;

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
  readSecret,
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
