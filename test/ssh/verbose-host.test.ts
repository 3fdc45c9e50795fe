import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DryRunHost, LocalHost, VerboseHost } from '../../src/ssh';

const dir = mkdtempSync(join(tmpdir(), 'cairn-verbose-host-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('every operation is printed with the host name, then done', async () => {
  const lines: string[] = [];
  const host = new VerboseHost(new LocalHost({ name: 'here' }), { print: (line) => lines.push(line) });
  const file = join(dir, 'pki/ca.crt');
  await host.upload(file, 'CERT', { mode: 0o644 });
  assert.equal(readFileSync(file, 'utf8'), 'CERT');
  assert.equal((await host.read(file)).toString(), 'CERT');
  assert.equal(await host.exists(file), true);
  assert.deepEqual(await host.exec('echo ok', { timeoutMs: 10_000 }), { code: 0, stdout: 'ok\n', stderr: '' });
  assert.equal((await host.exec('exit 4', { timeoutMs: 10_000 })).code, 4);
  await host.remove(join(dir, 'pki'), { recursive: true });
  assert.equal(await host.exists(file), false);
  assert.deepEqual(lines, [
    `[here] write ${file} (mode 0644, 4 bytes)`,
    `[here] read ${file}`,
    `[here] check ${file}`,
    '[here] run: echo ok',
    '[here] run: exit 4',
    '[here] exit 4: exit 4',
    `[here] remove ${join(dir, 'pki')} (recursive)`,
    `[here] check ${file}`,
  ]);
});

test('under a dry run, only what reaches the host is printed as done', async () => {
  const verbose: string[] = [];
  const dry: string[] = [];
  const host = new DryRunHost(new VerboseHost(new LocalHost({ name: 'here' }), { print: (line) => verbose.push(line) }), { print: (line) => dry.push(line) });
  await host.upload(join(dir, 'never'), 'x', { mode: 0o600 });
  await host.exec('uname -s', { timeoutMs: 10_000, readOnly: true });
  assert.deepEqual(dry, [`[dryrun] Would write file ${join(dir, 'never')} (mode 0600, 1 bytes) on here`]);
  assert.deepEqual(verbose, ['[here] run: uname -s']);
});
