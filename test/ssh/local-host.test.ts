import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost, SshError } from '../../src/ssh';

const dir = mkdtempSync(join(tmpdir(), 'cairn-local-host-'));
const host = new LocalHost({ name: 'here' });
test.after(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls pgrep (at most 50 times, 100 ms apart) until no process matches. */
async function waitUntilGone(pattern: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const { code } = await host.exec(`pgrep -f ${JSON.stringify(pattern)}`, { timeoutMs: 10_000 });
    if (code === 1) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

test('exec returns exit code, stdout and stderr; a failing command is a result', async () => {
  const result = await host.exec('echo out; echo err >&2; exit 7', { timeoutMs: 10_000 });
  assert.deepEqual(result, { code: 7, stdout: 'out\n', stderr: 'err\n' });
});

test('exec passes input and environment, and closes stdin when there is no input', async () => {
  const result = await host.exec('cat; printf "%s" "$GREETING"', { timeoutMs: 10_000, input: 'line\n', env: { GREETING: "it's here" } });
  assert.equal(result.stdout, "line\nit's here");
  assert.equal((await host.exec('cat', { timeoutMs: 10_000 })).stdout, '');
});

test('a command ended by a signal reports 128 + the signal number and its name', async () => {
  const result = await host.exec('kill -TERM $$', { timeoutMs: 10_000 });
  assert.equal(result.code, 143);
  assert.equal(result.signal, 'TERM');
});

test('a timeout is an error naming the host and the command, and ends the whole command', async () => {
  const marker = join(dir, 'survived');
  await assert.rejects(host.exec(`sleep 5; touch ${marker}`, { timeoutMs: 200 }), (err: SshError) => {
    assert.equal(err.kind, 'timeout');
    assert.equal(err.message, `ssh: command timed out after 200 ms on here (local): sleep 5; touch ${marker}`);
    return true;
  });
  // the shell's process group was killed, so the touch after the sleep never runs
  assert.equal(await waitUntilGone(`[s]leep 5; touch ${marker}`), true);
});

test('upload writes atomically with the mode, creating parent directories, from data or a local file', async () => {
  const target = join(dir, 'a/b/c/secret.key');
  await host.upload(target, 'private', { mode: 0o600 });
  assert.equal(readFileSync(target, 'utf8'), 'private');
  assert.equal(statSync(target).mode & 0o7777, 0o600);
  assert.deepEqual(readdirSync(join(dir, 'a/b/c')), ['secret.key'], 'no temporary file is left behind');

  const local = join(dir, 'source.bin');
  const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 0xab);
  writeFileSync(local, bytes);
  const copy = join(dir, 'copy.bin');
  await host.upload(copy, { localFile: local }, { mode: 0o755 });
  assert.ok(readFileSync(copy).equals(bytes));
  assert.equal(statSync(copy).mode & 0o7777, 0o755);

  await host.upload(target, Buffer.from('replaced'), { mode: 0o644 });
  assert.equal(readFileSync(target, 'utf8'), 'replaced');
  assert.equal(statSync(target).mode & 0o7777, 0o644);
});

test('read, exists and remove', async () => {
  const file = join(dir, 'r/file.txt');
  await host.upload(file, 'content', { mode: 0o644 });
  assert.equal((await host.read(file)).toString(), 'content');
  assert.equal(await host.exists(file), true);
  assert.equal(await host.exists(join(dir, 'r/none')), false);
  await assert.rejects(host.remove(join(dir, 'r')), (err: SshError) => err.kind === 'remote' && err.message.includes(join(dir, 'r')));
  await host.remove(file);
  assert.equal(existsSync(file), false);
  await host.remove(file); // already gone counts as done
  await host.upload(join(dir, 'r/x/y'), 'y', { mode: 0o644 });
  await host.remove(join(dir, 'r'), { recursive: true });
  assert.equal(existsSync(join(dir, 'r')), false);
  await assert.rejects(host.read(join(dir, 'r/none')), (err: SshError) => err.kind === 'remote' && /cannot read .* on here \(local\)/.test(err.message));
});

test('bad arguments are refused before anything happens', async () => {
  await assert.rejects(host.upload('relative/path', 'x', { mode: 0o644 }), /ssh: path must be absolute: "relative\/path"/);
  await assert.rejects(host.upload(join(dir, 'm'), 'x', { mode: 0o17777 }), /ssh: file mode must be an integer from 0 to 0o7777/);
  await assert.rejects(host.upload(join(dir, 'm'), {} as { localFile: string }, { mode: 0o644 }), /upload source must be/);
  await assert.rejects(host.remove('/'), /ssh: refusing to remove \//);
  await assert.rejects(host.remove('//'), /ssh: refusing to remove \//);
  await assert.rejects(host.exec('true', { timeoutMs: 0 }), /ssh: exec needs a positive timeoutMs/);
  await assert.rejects(host.exec('true', { timeoutMs: 1000, env: { 'BAD-NAME': 'x' } }), /invalid environment variable name: "BAD-NAME"/);
  assert.equal(existsSync(join(dir, 'm')), false);
});

test('a local source file that cannot be read is named in the error, and nothing is written', async () => {
  const missing = join(dir, 'no-such-source');
  await assert.rejects(host.upload(join(dir, 'dest'), { localFile: missing }, { mode: 0o644 }), (err: SshError) => {
    assert.equal(err.kind, 'invalid-argument');
    assert.match(err.message, new RegExp(`^ssh: cannot read local file ${missing}: ENOENT`));
    return true;
  });
  assert.equal(existsSync(join(dir, 'dest')), false);
  assert.deepEqual(readdirSync(dir).filter((name) => name.includes('.cairn-')), [], 'no temporary file is left behind');
});
