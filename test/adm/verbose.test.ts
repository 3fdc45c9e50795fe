// -v: every command and file operation on each host goes to standard error as `[host] ...`, for a
// real --local run (init, backup, restore, reset) and for a --dry-run, where only reads reach the
// host and every change is a [dryrun] line instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localMemberName } from '../../src/adm/commands/load';
import { freePorts } from '../support/ports';
import { cairnadm } from './adm-process';

const NAME = localMemberName();
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The -v lines of a run: `[host] ...` on standard error. */
const verboseLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith(`[${NAME}] `));

async function portFlags(): Promise<string[]> {
  const [client, peer, metrics] = (await freePorts(3)).map(String);
  return ['--client-port', client, '--peer-port', peer, '--metrics-port', metrics];
}

test('-v prints every command run and file written on the host', { timeout: 300_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'adm-verbose-'));
  const dir = join(base, 'cluster');
  const ports = await portFlags();
  const local = ['--local', '--dir', dir, ...ports, '-v'];
  t.after(async () => {
    const pidFile = join(dir, 'install', 'run', 'cairn.pid');
    if (existsSync(pidFile)) await cairnadm(['reset', ...local, '--force']);
    rmSync(base, { recursive: true, force: true });
  });

  const init = await cairnadm(['init', ...local]);
  assert.equal(init.code, 0, init.stderr + init.stdout);
  const lines = verboseLines(init.stderr);
  const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `${re} in\n${lines.join('\n')}`);
  has(new RegExp(`^\\[${esc(NAME)}\\] write ${esc(dir)}/pki/etcd/ca\\.key \\(mode 0600, \\d+ bytes\\)$`));
  has(new RegExp(`^\\[${esc(NAME)}\\] write ${esc(dir)}/pki/etcd/server\\.crt \\(mode 0644, \\d+ bytes\\)$`));
  has(new RegExp(`^\\[${esc(NAME)}\\] write ${esc(dir)}/cairn\\.yaml \\(mode 0644, \\d+ bytes\\)$`));
  has(new RegExp(`^\\[${esc(NAME)}\\] write ${esc(dir)}/install/\\.incoming/node \\(mode 0755, \\d+ bytes\\)$`));
  has(/^\S+ run: uname -sm$/);
  has(new RegExp(`^\\[${esc(NAME)}\\] run: .*sha256sum --quiet -c bundle\\.sha256 && `));
  has(new RegExp(`^\\[${esc(NAME)}\\] run: mkdir -p ${esc(dir)}/install/run; cd /; setsid nohup ${esc(dir)}/install/bin/cairn --config-file=${esc(dir)}/cairn\\.yaml >>${esc(dir)}/install/run/cairn\\.log 2>&1 </dev/null & echo \\$! > `));
  // the certificates come before the config file, the config file before the start
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  assert.ok(at(/pki\/etcd\/ca\.key/) < at(/write .*cairn\.yaml/) && at(/write .*cairn\.yaml/) < at(/setsid nohup/));
  // -v goes to standard error only: the operator's output is unchanged
  assert.equal(init.stdout.split('\n').filter((l) => l.startsWith(`[${NAME}] `)).length, 0);

  await t.test('backup and restore print what they run too', async () => {
    const snap = join(base, 'snap.db');
    const backup = await cairnadm(['backup', ...local, '--output', snap]);
    assert.equal(backup.code, 0, backup.stderr + backup.stdout);
    assert.ok(existsSync(snap));
    const restore = await cairnadm(['restore', ...local, '--snapshot', snap, '--force']);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    const r = verboseLines(restore.stderr);
    assert.ok(r.some((l) => l === `[${NAME}] write ${dir}/install/restore/snapshot.db (mode 0600, ${readFileSync(snap).length} bytes)`), r.join('\n'));
    assert.ok(r.some((l) => l.startsWith(`[${NAME}] run: rm -rf ${dir}/data.restored && ${dir}/install/bin/node ${dir}/install/lib/dist/src/cli/cairnctl.js snapshot restore ${dir}/install/restore/snapshot.db --data-dir=${dir}/data.restored --name=${NAME} `)), r.join('\n'));
  });

  await t.test('--dry-run -v: reads reach the host, changes are only [dryrun] lines', async () => {
    const other = join(base, 'dry');
    const dry = await cairnadm(['init', '--local', '--dir', other, ...(await portFlags()), '--dry-run', '-v']);
    assert.equal(dry.code, 0, dry.stderr + dry.stdout);
    const d = verboseLines(dry.stderr);
    assert.ok(d.includes(`[${NAME}] check ${other}/pki/etcd/ca.crt`), d.join('\n'));
    assert.equal(d.filter((l) => / write | remove /.test(l)).length, 0, d.join('\n'));
    assert.ok(dry.stdout.includes(`[dryrun] Would write file ${other}/pki/etcd/ca.key (mode 0600`));
    assert.equal(existsSync(other), false);
  });
});
