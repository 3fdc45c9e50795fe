// Golden files: the rendered text of fixed inputs. Set UPDATE_GOLDEN=1 to rewrite them, and
// commit only differences you can explain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { configFileCommand, renderConfigFile, renderStaticPod, renderSystemdUnit, renderMember } from '../../src/render';
import { repoRoot } from '../pki/fixture-keys';
import { joiningMember, memberInput } from './inputs';

const GOLDEN_DIR = path.join(repoRoot(), 'test', 'render', 'testdata');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, `${name}.golden`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.ok(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

test('single new member: config file and systemd unit', () => {
  golden('single-config', renderConfigFile(memberInput()));
  golden('single-unit', renderSystemdUnit(memberInput()));
});

test('single new member: static pod manifest', () => {
  golden('single-pod', renderStaticPod(memberInput()));
});

test('joining member with extra flags: config file and static pod', () => {
  golden('join-config', renderConfigFile(joiningMember));
  golden('join-pod', renderStaticPod(joiningMember));
});

test('IPv6 advertise address: brackets and ::1 for local listeners and probes', () => {
  golden('ipv6-config', renderConfigFile(memberInput({ advertiseAddress: 'fd00::11' })));
  golden('ipv6-pod', renderStaticPod(memberInput({ advertiseAddress: 'fd00::11' })));
});

test('runtimes choose their files, at the configured paths and modes', () => {
  const input = memberInput();
  assert.deepEqual(renderMember(input, { runtime: 'systemd' }).map((f) => [f.path, f.mode]), [
    ['/etc/cairn/cairn.yaml', 0o644],
    ['/etc/systemd/system/cairn.service', 0o644],
  ]);
  assert.deepEqual(renderMember(input, { runtime: 'process' }).map((f) => [f.path, f.mode]), [['/etc/cairn/cairn.yaml', 0o644]]);
  assert.deepEqual(configFileCommand(input), ['/opt/cairn/bin/cairn', '--config-file=/etc/cairn/cairn.yaml']);
  assert.deepEqual(renderMember(input, { runtime: 'static-pod' }).map((f) => [f.path, f.mode]), [['/etc/kubernetes/manifests/etcd.yaml', 0o600]]);
});
