// `cairnadm <command> phase <name>` on a live --local member, for the commands whose phases run
// alone besides init/join/reset: certs renew (renew now, restart later), backup and restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { freePorts } from '../support/ports';
import { cairnadm } from './adm-process';
import { servedCertificate } from './served-certificate';

function fileSerial(path: string): string {
  return new X509Certificate(readFileSync(path)).serialNumber;
}

test('renew, backup and restore run one phase at a time', { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'adm-phases-'));
  const ports = await freePorts(3);
  const local = ['--local', '--dir', dir, '--client-port', String(ports[0]), '--peer-port', String(ports[1]), '--metrics-port', String(ports[2])];
  const endpoint = `https://127.0.0.1:${ports[0]}`;
  const creds = join(dir, 'pki', 'etcd');
  t.after(async () => {
    await cairnadm(['reset', '--force', ...local]);
    rmSync(dir, { recursive: true, force: true });
  });
  const init = await cairnadm(['init', ...local]);
  assert.equal(init.code, 0, init.stderr + init.stdout);

  await t.test('help lists each command\'s phases as subcommands', async () => {
    for (const [command, phases] of [[['certs', 'renew'], ['check', 'renew', 'restart']], [['backup'], ['check', 'snapshot', 'pki']], [['restore'], ['check', 'stop', 'restore', 'render', 'launch', 'wait-healthy']]] as const) {
      const help = await cairnadm([...command, 'phase', '--help']);
      assert.equal(help.code, 0, help.stderr);
      for (const phase of phases) assert.match(help.stdout, new RegExp(`^  ${phase} \\[options\\]`, 'm'), help.stdout);
    }
  });

  await t.test('certs renew phase renew re-signs one certificate and restarts nothing; phase restart then serves it', async () => {
    const served = servedCertificate(creds, endpoint).serial;
    const peerBefore = fileSerial(join(creds, 'peer.crt'));
    const renew = await cairnadm(['certs', 'renew', 'phase', 'renew', 'etcd-server', ...local]);
    assert.equal(renew.code, 0, renew.stderr + renew.stdout);
    assert.match(renew.stdout, /\[renew\] \S+: certificate for serving etcd renewed/);
    assert.doesNotMatch(renew.stdout, /\[check\]|\[restart\]/);
    assert.match(renew.stdout, /You must restart the members \(\S+\) so that they use the new certificates \(cairnadm certs renew phase restart etcd-server does it one at a time\)/);
    const onDisk = fileSerial(join(creds, 'server.crt'));
    assert.notEqual(onDisk, served);
    assert.equal(fileSerial(join(creds, 'peer.crt')), peerBefore, 'only the named certificate is renewed');
    assert.equal(servedCertificate(creds, endpoint).serial, served, 'the member was not restarted');

    const restart = await cairnadm(['certs', 'renew', 'phase', 'restart', 'etcd-server', ...local]);
    assert.equal(restart.code, 0, restart.stderr + restart.stdout);
    assert.match(restart.stdout, /\[restart\] \S+: restarted \(runtime process\); healthy, serving certificate serial \w+ .*\(the only member\)/);
    assert.doesNotMatch(restart.stdout, /\[renew\] \S+:|Done renewing/);
    assert.equal(servedCertificate(creds, endpoint).serial.toUpperCase(), onDisk.toUpperCase());
  });

  await t.test('backup phase snapshot writes the snapshot and its sha256; phase check refuses an existing file', async () => {
    const file = join(dir, 'backup.db');
    const snap = await cairnadm(['backup', 'phase', 'snapshot', '-o', file, ...local]);
    assert.equal(snap.code, 0, snap.stderr + snap.stdout);
    assert.match(snap.stdout, /\[snapshot\] saved .*backup\.db from \S+: revision \d+/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(`${file}.sha256`, 'utf8'), /^[0-9a-f]{64} {2}backup\.db\n$/);
    const check = await cairnadm(['backup', 'phase', 'check', '-o', file, ...local]);
    assert.equal(check.code, 1, check.stdout);
    assert.match(check.stderr, /error execution phase check: .*backup\.db.* exists/);
    const noOutput = await cairnadm(['backup', 'phase', 'snapshot', ...local]);
    assert.equal(noOutput.code, 1);
    assert.match(noOutput.stderr, /^error: required option '-o, --output <file>' not specified$/m);
  });

  await t.test('restore phase check changes nothing and asks nothing; phase stop asks first', async () => {
    const file = join(dir, 'backup.db');
    const check = await cairnadm(['restore', 'phase', 'check', '--snapshot', file, ...local]);
    assert.equal(check.code, 0, check.stderr + check.stdout);
    assert.match(check.stdout, /\[check\] snapshot .*backup\.db: revision \d+, \d+ keys/);
    assert.match(check.stdout, /\[check\] \S+: reachable, cairn installed in /);
    assert.doesNotMatch(check.stdout, /\[restore\] done/);
    const stop = await cairnadm(['restore', 'phase', 'stop', '--snapshot', file, ...local]);
    assert.equal(stop.code, 1);
    assert.match(stop.stderr, /restore: standard input is not a terminal, so nothing was changed; pass --force/);
    assert.ok(existsSync(join(dir, 'install', 'run', 'cairn.pid')));
    assert.equal(servedCertificate(creds, endpoint).serial.length > 0, true, 'the member still serves');
  });
});
