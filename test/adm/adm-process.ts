// Runs the real cairnadm program as a child process (compiled when the tests run compiled, through
// tsx while iterating), with a bounded run time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

function admCommand(): string[] {
  const root = repoRoot();
  return __filename.endsWith('.ts')
    ? ['--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(root, 'src', 'cli', 'cairnadm.ts')]
    : [join(root, 'dist', 'src', 'cli', 'cairnadm.js')];
}

export interface AdmRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cairnadm(args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<AdmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...admCommand(), ...args], { cwd: repoRoot(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
