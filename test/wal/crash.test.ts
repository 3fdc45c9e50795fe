import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Wal } from '../../src/wal';
import { dataFor, tempWalDir } from './helpers';

const SEGMENT = 64 * 1024;
const ROUND_TIMEOUT_MS = 60_000;

function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10 && !fs.existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir);
  return dir;
}

/**
 * Runs the writer until it is killed with SIGKILL: by this test once it has acknowledged `acks`
 * saves, or by itself at the failpoint `crashAt` ("<name>:<n>"). Returns where it started and the
 * highest index it acknowledged.
 */
function runUntilKilled(dir: string, stop: { acks: number } | { crashAt: string }): Promise<{ ready: number; acked: number }> {
  const fromSource = __filename.endsWith('.ts');
  const script = path.join(__dirname, fromSource ? 'crash-writer.ts' : 'crash-writer.js');
  const crashAt = 'crashAt' in stop ? [stop.crashAt] : [];
  const args = [...(fromSource ? ['--import', 'tsx'] : []), script, '--wal-crash-writer', dir, String(SEGMENT), '100000', ...crashAt];
  const child = spawn(process.execPath, args, { cwd: repoRoot(), stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let ready = -1;
    let acked = 0;
    let count = 0;
    let pending = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer was not killed within ${ROUND_TIMEOUT_MS}ms (${count} acknowledgements); stderr: ${stderr}`));
    }, ROUND_TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ready ')) ready = Number(line.slice(6));
        else if (/^\d+$/.test(line)) {
          const index = Number(line);
          assert.ok(index > acked, `acknowledgements arrive in order (${index} after ${acked})`);
          acked = index;
          if (++count === ('acks' in stop ? stop.acks : -1)) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && ('acks' in stop ? count >= stop.acks : ready > 0)) resolve({ ready, acked });
      else reject(new Error(`writer exited with ${code ?? signal} after ${count} acknowledgements; stderr: ${stderr}`));
    });
  });
}

/** Reopens the log and checks it holds entries 1..n with their data, n at least `acked`; returns n. */
async function checkLog(dir: string, acked: number): Promise<number> {
  const wal = Wal.open(dir, { segmentBytes: SEGMENT, logger: { info: () => {}, warn: () => {} } });
  const { entries, hardState } = wal.readAll();
  await wal.close();
  const last = entries.length > 0 ? entries[entries.length - 1].index : 0;
  assert.ok(last >= acked, `entry ${acked} was acknowledged; the log ends at ${last}`);
  entries.forEach((e, i) => {
    assert.equal(e.index, i + 1);
    assert.deepEqual(e.data, dataFor(e.index));
  });
  assert.ok(hardState.commit >= acked);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'temporaries are cleared on open');
  return last;
}

test('every acknowledged entry survives SIGKILL of the writer, round after round', { timeout: 4 * ROUND_TIMEOUT_MS }, async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  let previous = 0;
  for (const acks of [40, 300, 120]) {
    const { ready, acked } = await runUntilKilled(dir, { acks });
    assert.ok(ready > previous, `the writer resumed after the last entry found (${ready} > ${previous})`);
    previous = await checkLog(dir, acked);
  }
  const segments = fs.readdirSync(dir).filter((n) => n.endsWith('.wal'));
  assert.ok(segments.length > 1, 'the run crossed segment cuts');
});

test('a writer killed at each point of a sync or a segment cut loses nothing it acknowledged', { timeout: 5 * ROUND_TIMEOUT_MS }, async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  let previous = 0;
  for (const crashAt of ['walBeforeSync:50', 'walAfterSync:50', 'walBeforeCutRename:2', 'walAfterCutRename:2']) {
    const { ready, acked } = await runUntilKilled(dir, { crashAt });
    assert.ok(ready > previous, `${crashAt}: the writer resumed after the last entry found`);
    previous = await checkLog(dir, acked);
  }
});
