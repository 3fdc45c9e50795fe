// extraArgs wal-dir under cairnadm: the member keeps its WAL in that directory, and reset removes it
// with the data dir, so that the next member made on the host does not read the old member's log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../support/ports';
import { cairnadm } from './adm-process';

test('init with extraArgs wal-dir writes the WAL there; reset removes it', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'adm-wal-dir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const walDir = join(dir, 'wal-disk', 'wal');
  const config = join(dir, 'cluster.yaml');
  writeFileSync(config, `runtime: process\nhosts:\n- name: wal-local\n  address: 127.0.0.1\nextraArgs:\n  wal-dir: ${walDir}\n`);
  const ports = await freePorts(3);
  const flags = ['--local', '--config', config, '--dir', dir, '--client-port', String(ports[0]), '--peer-port', String(ports[1]), '--metrics-port', String(ports[2])];
  const init = await cairnadm(['init', ...flags]);
  try {
    assert.equal(init.code, 0, init.stderr + init.stdout);
    assert.ok(readdirSync(walDir).some((f) => f.endsWith('.wal')), 'the WAL is in wal-dir');
    assert.equal(existsSync(join(dir, 'data', 'member', 'wal')), false);
  } finally {
    const reset = await cairnadm(['reset', ...flags, '--force']);
    assert.equal(reset.code, 0, reset.stderr + reset.stdout);
    assert.match(reset.stdout, new RegExp(`removed ${walDir}`));
  }
  assert.equal(existsSync(walDir), false);
});
