// Starts child-server in a new node process (from .ts under tsx, or from compiled .js) and waits for its port.
import { spawn, type ChildProcess } from 'node:child_process';
import { extname, join } from 'node:path';

export interface Child {
  process: ChildProcess;
  port: number;
  /** resolves with the exit code (or signal) */
  exited: Promise<number | NodeJS.Signals>;
  stderr(): string;
}

/** The loader flags this process runs with (tsx when tests run from TypeScript). */
function loaderArgs(): string[] {
  const args: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--import' || argv[i] === '--require' || argv[i] === '--loader') && i + 1 < argv.length) {
      args.push(argv[i], argv[i + 1]);
      i++;
    } else if (/^--(import|require|loader)=/.test(argv[i])) {
      args.push(argv[i]);
    }
  }
  return args;
}

export function startChild(dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const script = join(__dirname, `child-server${extname(__filename)}`);
  const child = spawn(process.execPath, [...loaderArgs(), script, dataDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-10000);
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal as NodeJS.Signals))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child server did not start in 30 s: ${err}`));
    }, 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ process: child, port: Number(match[1]), exited, stderr: () => err });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child server exited (${code}) before listening: ${err}`));
    });
  });
}
