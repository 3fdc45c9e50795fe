// Script-driven tests: each test/raft/testdata/*.txt holds commands, each followed by
// `----` and the expected output, cases separated by a blank line. RAFT_REWRITE=1
// rewrites the expected output; commit only changes you can explain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, InteractionEnv } from './interaction/env';

function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

const dataDir = join(repoRoot(), 'test', 'raft', 'testdata');
const rewrite = process.env.RAFT_REWRITE === '1';

interface Case {
  line: string;
  expected: string;
}

/** Splits a script into leading comments/blank lines (kept verbatim) and cases. */
function parse(text: string): { prefix: string[]; cases: Case[] }[] {
  const lines = text.split('\n');
  const out: { prefix: string[]; cases: Case[] }[] = [];
  let i = 0;
  while (i < lines.length) {
    const prefix: string[] = [];
    while (i < lines.length && (lines[i].trim() === '' || lines[i].startsWith('#'))) prefix.push(lines[i++]);
    if (i >= lines.length) {
      if (prefix.length > 0) out.push({ prefix, cases: [] });
      break;
    }
    const line = lines[i++];
    if (lines[i] !== '----') throw new Error(`expected ---- after "${line}" at line ${i + 1}`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') expected.push(lines[i++]);
    out.push({ prefix, cases: [{ line, expected: expected.join('\n') }] });
  }
  return out;
}

function toCommand(line: string): Command {
  const [name, ...rest] = line.trim().split(/\s+/);
  const args: string[] = [];
  const kv = new Map<string, string>();
  for (const t of rest) {
    const eq = t.indexOf('=');
    if (eq > 0) kv.set(t.slice(0, eq), t.slice(eq + 1));
    else args.push(t);
  }
  return { name, args, kv };
}

for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.txt')).sort()) {
  test(`interaction script ${file}`, () => {
    const path = join(dataDir, file);
    const blocks = parse(readFileSync(path, 'utf8'));
    const env = new InteractionEnv();
    const written: string[] = [];
    for (const b of blocks) {
      written.push(...b.prefix);
      for (const c of b.cases) {
        const got = env.run(toCommand(c.line));
        written.push(c.line, '----', got);
        if (!rewrite) assert.equal(got, c.expected, `${file}: output of "${c.line}"`);
      }
    }
    if (rewrite) writeFileSync(path, written.join('\n').replace(/\n*$/, '\n'));
  });
}
