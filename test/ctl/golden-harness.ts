// Runs the golden command lines through real etcdctl (a child process, so the event loop stays free
// for an in-process server) or through cairnctl in-process (runCtl with captured output), and
// normalises what differs between two servers or two runs: ports, member/cluster/lease ids, times.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCtl, type CtlIo } from '../../src/ctl';
import type { GoldenCase } from './golden-cases';

export interface Outcome {
  stdout: string;
  stderr: string;
  code: number;
}

export type Tool = 'etcdctl' | 'cairnctl';

/** What a run knows about its server, for filling in args and normalising output. */
export interface Target {
  readonly endpoint: string;
  readonly tmp: string;
  readonly vars: Map<string, string>;
  /** Exact strings -> placeholders (ids in hex and decimal, the peer URL). */
  readonly replacements: Map<string, string>;
}

const COMMON_FLAGS = ['--dial-timeout=2s', '--command-timeout=5s'];

export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

function fill(text: string, target: Target): string {
  return text.replace(/\{([A-Z_]+)\}/g, (whole, name: string) => {
    if (name === 'TMP') return target.tmp;
    if (name === 'EP') return target.endpoint;
    return target.vars.get(name) ?? whole;
  });
}

function commandLine(c: GoldenCase, target: Target): { args: string[]; env: Record<string, string> } {
  const args = c.args.map((a) => fill(a, target));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.env ?? {})) env[k] = fill(v, target);
  return { args: c.noEndpoints ? [...COMMON_FLAGS, ...args] : [`--endpoints=${target.endpoint}`, ...COMMON_FLAGS, ...args], env };
}

function runEtcdctl(args: string[], env: Record<string, string>, stdin: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('etcdctl', args, { env: { PATH: process.env.PATH, ETCDCTL_API: '3', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? (signal ? -1 : 0) });
    });
    // etcdctl may exit before reading its input (a flag error): that is its answer, not a failure here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

async function runCairnctl(args: string[], env: Record<string, string>, stdin: string): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const lines = stdin === '' ? [] : stdin.replace(/\n$/, '').split('\n');
  let consumed = false;
  const io: CtlIo = {
    env: { PATH: process.env.PATH, ...env },
    output: {
      out: (data) => { stdout += typeof data === 'string' ? Buffer.from(data).toString('latin1') : Buffer.from(data).toString('latin1'); },
      err: (text) => { stderr += text; },
    },
    readStdin: async () => {
      consumed = true;
      return Buffer.from(stdin);
    },
    readLine: async () => (consumed ? null : lines.shift() ?? null),
  };
  const code = await runCtl(args, io);
  return { stdout, stderr, code };
}

/** Runs one case; captures named values from stdout for later cases. */
export async function runCase(tool: Tool, c: GoldenCase, target: Target): Promise<Outcome> {
  const { args, env } = commandLine(c, target);
  const outcome = tool === 'etcdctl' ? await runEtcdctl(args, env, c.stdin ?? '') : await runCairnctl(args, env, c.stdin ?? '');
  if (c.capture) {
    const m = c.capture.pattern.exec(outcome.stdout);
    if (m) {
      target.vars.set(c.capture.name, m[1]);
      addIdReplacements(target, BigInt(`0x${m[1]}`), `<${c.capture.name}>`);
    }
  }
  return outcome;
}

/** An id in the forms etcdctl prints it: %016x, %x, %16x (after a space, as in "Member %16x") and decimal. */
export function addIdReplacements(target: Target, id: bigint, placeholder: string): void {
  const hex = id.toString(16);
  target.replacements.set(hex.padStart(16, '0'), placeholder);
  if (hex.length < 16) target.replacements.set(` ${hex.padStart(16, ' ')}`, ` ${placeholder}`);
  target.replacements.set(hex, placeholder);
  target.replacements.set(id.toString(), placeholder);
}

// stdout is read as latin1 (byte for byte), so Go's "µs" (UTF-8) shows as "Âµs" there.
const DURATION = /[\d.]+(Âµs|µs|ms|s|ns)/;
const TOOK = new RegExp(`took = ${DURATION.source}|"took":"${DURATION.source}"`, 'g');

export function normalise(outcome: Outcome, c: GoldenCase, target: Target): Outcome {
  const fix = (text: string) => {
    let out = text.split(target.endpoint).join('<EP>').split(target.tmp).join('<TMP>');
    // Longest first, so a hex id is not cut by a shorter decimal one inside it.
    const keys = [...target.replacements.keys()].sort((a, b) => b.length - a.length);
    for (const k of keys) out = out.replace(new RegExp(`(?<![0-9a-f])${escapeRegExp(k)}(?![0-9a-f])`, 'g'), target.replacements.get(k) ?? '');
    out = out.replace(TOOK, (m) => m.replace(DURATION, '<T>'));
    for (const mask of c.mask ?? []) out = out.replace(mask, '<MASKED>');
    out = out.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} /gm, '<TIME> ').replace(/\b(etcdctl|cairnctl)\b/g, '<CTL>');
    return c.unordered ? sortLines(out) : out;
  };
  // etcdctl's client library logs JSON lines on stderr; they are noise here.
  const stderr = outcome.stderr.split('\n').filter((l) => !l.startsWith('{"level":')).join('\n');
  return { stdout: fix(outcome.stdout), stderr: fix(stderr), code: outcome.code };
}

function sortLines(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/^(ETCD_INITIAL_CLUSTER=")([^"]*)"$/, (_m, head: string, list: string) => `${head}${list.split(',').sort().join(',')}"`));
  return lines.sort().join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type GoldenFile = Record<string, Outcome>;

export function goldenPath(name: string): string {
  return join(repoRoot(), 'test', 'ctl', 'testdata', name);
}

export function readGolden(name: string): GoldenFile {
  const path = goldenPath(name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as GoldenFile) : {};
}

export function writeGolden(name: string, golden: GoldenFile): void {
  writeFileSync(goldenPath(name), `${JSON.stringify(golden, null, 1)}\n`);
}

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
