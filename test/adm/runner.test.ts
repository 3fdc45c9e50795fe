// The phase runner: names, --skip-phases, `phase <name>`, dependencies, errors naming phase and
// host, and the dry run (the same path through DryRunHost changes nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenPhases, phaseTree, runPhases, selectPhases, type Phase } from '../../src/adm';
import { DryRunHost, LocalHost } from '../../src/ssh';

interface Ctx {
  ran: string[];
}

function phases(): Phase<Ctx>[] {
  return [
    { name: 'preflight', help: 'checks', run: async (c) => void c.ran.push('preflight') },
    {
      name: 'certs',
      help: 'certificates',
      phases: [
        { name: 'etcd-ca', help: 'the CA', runOnHost: async (c, h) => void c.ran.push(`certs/etcd-ca@${h}`) },
        { name: 'etcd-server', help: 'server', runOnHost: async (c, h) => void c.ran.push(`certs/etcd-server@${h}`) },
      ],
    },
    { name: 'launch', help: 'start', runOnHost: async (c, h) => void c.ran.push(`launch@${h}`), dependencies: ['certs'] },
    { name: 'never', help: 'not needed', runIf: () => false, run: async (c) => void c.ran.push('never') },
  ];
}

test('nested phases are named parent/child and listed in the help tree', () => {
  assert.deepEqual(
    flattenPhases(phases()).map((n) => n.fullName),
    ['preflight', 'certs', 'certs/etcd-ca', 'certs/etcd-server', 'launch', 'never'],
  );
  const tree = phaseTree(phases());
  assert.match(tree, /^preflight\s+checks$/m);
  assert.match(tree, /^ {2}etcd-ca\s+the CA$/m);
});

test('a full run goes through every phase in order, per host, and leaves out what runIf declines', async () => {
  const ctx: Ctx = { ran: [] };
  await runPhases(phases(), ctx, { targets: ['cp-1', 'cp-2'], renderer: 'silent' });
  assert.deepEqual(ctx.ran, ['preflight', 'certs/etcd-ca@cp-1', 'certs/etcd-ca@cp-2', 'certs/etcd-server@cp-1', 'certs/etcd-server@cp-2', 'launch@cp-1', 'launch@cp-2']);
});

test('--skip-phases takes a phase (a parent with its children) out; `phase certs` runs certs alone', async () => {
  const ctx: Ctx = { ran: [] };
  await runPhases(phases(), ctx, { targets: ['a'], skipPhases: ['preflight', 'certs/etcd-server'], renderer: 'silent' });
  assert.deepEqual(ctx.ran, ['certs/etcd-ca@a', 'launch@a']);
  const only: Ctx = { ran: [] };
  await runPhases(phases(), only, { targets: ['a'], only: 'certs', renderer: 'silent' });
  assert.deepEqual(only.ran, ['certs/etcd-ca@a', 'certs/etcd-server@a']);
});

test('skipping a phase another one needs, or an unknown phase, is refused before anything runs', async () => {
  assert.throws(() => selectPhases(phases(), { skipPhases: ['certs'] }), /phase launch needs phase certs, which --skip-phases leaves out/);
  assert.throws(() => selectPhases(phases(), { skipPhases: ['cert'] }), /unknown phase "cert" \(phases: preflight, certs, certs\/etcd-ca/);
  const ctx: Ctx = { ran: [] };
  await assert.rejects(runPhases(phases(), ctx, { targets: ['a'], skipPhases: ['certs'], renderer: 'silent' }));
  assert.deepEqual(ctx.ran, []);
});

test('a failure names the phase and the host, and stops the run', async () => {
  const ctx: Ctx = { ran: [] };
  const failing: Phase<Ctx>[] = [
    { name: 'certs', help: '', runOnHost: async (c, h) => { if (h === 'cp-2') throw new Error('cannot write /etc/x: permission denied'); c.ran.push(h); } },
    { name: 'launch', help: '', run: async (c) => void c.ran.push('launch') },
  ];
  await assert.rejects(runPhases(failing, ctx, { targets: ['cp-1', 'cp-2', 'cp-3'], renderer: 'silent' }), (err: Error) => {
    assert.equal(err.message, 'error execution phase certs on host cp-2: cannot write /etc/x: permission denied');
    return true;
  });
  assert.deepEqual(ctx.ran, ['cp-1']);
});

test('a dry run takes the same path through DryRunHost: it records the writes and changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'adm-dry-'));
  try {
    const printed: string[] = [];
    const host = new DryRunHost(new LocalHost({ name: 'cp-1' }), { print: (l) => printed.push(l) });
    const write: Phase<{ host: DryRunHost }>[] = [
      { name: 'render', help: '', runOnHost: async (c) => { if (!(await c.host.exists(join(dir, 'cairn.yaml')))) await c.host.upload(join(dir, 'cairn.yaml'), 'name: cp-1\n', { mode: 0o644 }); } },
      { name: 'launch', help: '', runOnHost: async (c) => void (await c.host.exec('touch started', { timeoutMs: 1000 })) },
    ];
    await runPhases(write, { host }, { targets: ['cp-1'], renderer: 'silent' });
    assert.equal(existsSync(join(dir, 'cairn.yaml')), false);
    assert.deepEqual(host.actions.map((a) => a.kind), ['upload', 'exec']);
    assert.match(printed[0], /^\[dryrun\] Would write file .*cairn\.yaml \(mode 0644, 11 bytes\) on cp-1$/);
    assert.equal(printed[1], '[dryrun] Would run on cp-1: touch started');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
