import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openTestStore } from './helpers';
import { ScriptRunner, formatScript, parseScript } from './script';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

const dataDir = path.join(repoRoot(), 'test', 'mvcc', 'testdata');
const rewrite = process.env.CAIRN_REWRITE === '1';

for (const file of fs.readdirSync(dataDir).filter((f) => f.endsWith('.txt')).sort()) {
  test(`script ${file}`, async () => {
    const full = path.join(dataDir, file);
    const text = fs.readFileSync(full, 'utf8');
    const header = text.split('\n').filter((l, i, all) => l.startsWith('#') && all.slice(0, i).every((p) => p.startsWith('#')));
    const cases = parseScript(text);
    const t = openTestStore();
    const runner = new ScriptRunner(t);
    const results: { input: string[]; output: string[] }[] = [];
    try {
      for (const c of cases) {
        const output = await runner.run(c.input);
        results.push({ input: c.input, output });
        if (!rewrite) assert.deepEqual(output, c.expected, `${file}:${c.line}: ${c.input[0]}`);
      }
    } finally {
      await t.cleanup();
    }
    if (rewrite) fs.writeFileSync(full, formatScript(results, header.length > 0 ? [header.join('\n')] : []));
  });
}
