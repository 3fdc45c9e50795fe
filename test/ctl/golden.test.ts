// Golden tests: the same command lines through real etcdctl 3.4 and through cairnctl, against real
// etcd 3.4 and against cairn. testdata/etcdctl-on-etcd.json holds etcdctl's normalised answers
// (UPDATE_GOLDEN=1 rewrites it, and testdata/cairnctl-accepted.json, from this run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { hasEtcdctl, startLoneCairn } from '../cli/cairn-process';
import { GOLDEN_CASES } from './golden-cases';
import {
  addIdReplacements, normalise, readGolden, runCase, UPDATE_GOLDEN, writeGolden,
  type GoldenFile, type Outcome, type Target, type Tool,
} from './golden-harness';

/** Where cairnctl answers differently from etcdctl on purpose; its own answer is in cairnctl-accepted.json. */
const ACCEPTED_DIFFERENCES: Readonly<Record<string, string>> = {
  version: 'cairnctl prints its own version ("cairnctl version: 0.1.0"), not etcdctl\'s',
  'env-api-2': 'etcdctl 3.4 runs its v2 client; cairnctl refuses ETCDCTL_API=2 with a clear message (exit 4)',
  'get-count-only': 'etcdctl 3.4 has no --count-only (3.5 added it); cairnctl has it',
  'auth-status': 'etcdctl 3.4 has no auth status (3.5 added it); cairnctl has it',
  'auth-status-json': 'etcdctl 3.4 has no auth status (3.5 added it); cairnctl has it',
  'get-bad-limit': 'on a flag error cairnctl prints the same error lines and exit code but not cobra\'s usage text on stdout',
  'unknown-flag': 'on a flag error cairnctl prints the same error lines and exit code but not cobra\'s usage text on stdout',
  'bad-dial-timeout': 'on a flag error cairnctl prints the same error lines and exit code but not cobra\'s usage text on stdout',
};

/** Where cairn (the server) answers differently from etcd 3.4 on purpose; see README. */
const AUTH_STATUS = 'etcd 3.4 has no AuthStatus RPC (3.5 added it); cairn serves it';
const SERVER_DIFFERENCES: Readonly<Record<string, string>> = { 'auth-status': AUTH_STATUS, 'auth-status-json': AUTH_STATUS };

const ETCD_GOLDEN = 'etcdctl-on-etcd.json';
const ACCEPTED_GOLDEN = 'cairnctl-accepted.json';

async function newTarget(url: string): Promise<Target> {
  // host:port, as in etcd's guides (the http:// form is one case of its own below).
  const endpoint = url.replace(/^http:\/\//, '');
  const target: Target = { endpoint, tmp: mkdtempSync(join(tmpdir(), 'ctl-golden-')), vars: new Map(), replacements: new Map() };
  const status = await runCase('etcdctl', { name: 'status', args: ['endpoint', 'status', '-w', 'json'] }, target);
  const member = /"member_id":(\d+)/.exec(status.stdout);
  const cluster = /"cluster_id":(\d+)/.exec(status.stdout);
  assert.ok(member && cluster, `endpoint status of ${endpoint}: ${status.stdout}${status.stderr}`);
  addIdReplacements(target, BigInt(member[1]), '<MEMBER>');
  target.vars.set('SELF', BigInt(member[1]).toString(16));
  addIdReplacements(target, BigInt(cluster[1]), '<CLUSTER>');
  const list = await runCase('etcdctl', { name: 'members', args: ['member', 'list', '-w', 'json'] }, target);
  const peer = /"peerURLs":\["([^"]+)"\]/.exec(list.stdout);
  assert.ok(peer, list.stdout);
  target.replacements.set(peer[1], '<PEER>');
  return target;
}

async function runAll(tool: Tool, target: Target): Promise<GoldenFile> {
  const results: GoldenFile = {};
  for (const c of GOLDEN_CASES) results[c.name] = normalise(await runCase(tool, c, target), c, target);
  return results;
}

/** Runs the list and notes slow cases (the whole suite should stay near a minute). */
async function runAllTimed(tool: Tool, target: Target, diagnostic: (s: string) => void): Promise<GoldenFile> {
  const started = Date.now();
  const results = await runAll(tool, target);
  diagnostic(`${tool} on ${target.endpoint}: ${GOLDEN_CASES.length} command lines in ${Date.now() - started} ms`);
  return results;
}

function show(o: Outcome | undefined): string {
  return o ? `exit ${o.code}\n--- stdout\n${o.stdout}--- stderr\n${o.stderr}` : '(none)';
}

/** The cases whose outcome differs from the expectation, as readable text. */
function mismatches(got: GoldenFile, want: (name: string) => Outcome | undefined, skip: Readonly<Record<string, string>>, label: string, diagnostic: (s: string) => void): string[] {
  const bad: string[] = [];
  for (const c of GOLDEN_CASES) {
    const expected = want(c.name);
    const same = expected !== undefined && JSON.stringify(got[c.name]) === JSON.stringify(expected);
    if (skip[c.name] !== undefined) {
      if (same) diagnostic(`${label}: ${c.name} is listed as a known difference but now matches`);
      continue;
    }
    if (!same) bad.push(`### ${label}: ${c.name} (${c.args.join(' ')})\nwant: ${show(expected)}\ngot:  ${show(got[c.name])}`);
  }
  return bad;
}

interface Server {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function startEtcdServer(): Promise<Server> {
  const etcd = await startRealEtcd();
  return { endpoint: etcd.endpoint, stop: () => etcd.stop() };
}

async function startCairnServer(): Promise<Server> {
  const cairn = await startLoneCairn();
  return { endpoint: cairn.url, stop: cairn.stop };
}

const skip = !hasRealEtcd() || !hasEtcdctl() ? 'needs Debian etcd-server and etcd-client' : false;

test('golden: etcdctl and cairnctl against real etcd and against cairn', { skip, timeout: 240_000 }, async (t) => {
  assert.ok(GOLDEN_CASES.length >= 60, 'at least 60 command lines');
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const targets: Target[] = [];
    for (const start of [startEtcdServer, startEtcdServer, startCairnServer, startCairnServer]) {
      // Member ids come from the peer URL; tables are only comparable when the id has all 16 hex
      // digits (etcdctl prints %x), so a server whose id is shorter is replaced (1 in 16).
      for (let attempt = 1; ; attempt++) {
        const server = await start();
        cleanups.push(server.stop);
        const target = await newTarget(server.endpoint);
        cleanups.push(() => rmSync(target.tmp, { recursive: true, force: true }));
        if ((target.vars.get('SELF') ?? '').length === 16 || attempt === 5) {
          targets.push(target);
          break;
        }
        await server.stop();
      }
    }

    const diag = (s: string) => t.diagnostic(s);
    const etcdctlOnEtcd = await runAllTimed('etcdctl', targets[0], diag);
    const cairnctlOnEtcd = await runAllTimed('cairnctl', targets[1], diag);
    const etcdctlOnCairn = await runAllTimed('etcdctl', targets[2], diag);
    const cairnctlOnCairn = await runAllTimed('cairnctl', targets[3], diag);

    if (UPDATE_GOLDEN) {
      writeGolden(ETCD_GOLDEN, etcdctlOnEtcd);
      const accepted: GoldenFile = {};
      for (const name of Object.keys(ACCEPTED_DIFFERENCES)) accepted[name] = cairnctlOnEtcd[name];
      writeGolden(ACCEPTED_GOLDEN, accepted);
    }
    const golden = readGolden(ETCD_GOLDEN);
    const accepted = readGolden(ACCEPTED_GOLDEN);
    const forEtcdctl = (name: string) => golden[name];
    const forCairnctl = (name: string) => (ACCEPTED_DIFFERENCES[name] !== undefined ? accepted[name] : golden[name]);
    const bad = [
      ...mismatches(etcdctlOnEtcd, forEtcdctl, {}, 'etcdctl on etcd', diag),
      ...mismatches(cairnctlOnEtcd, forCairnctl, {}, 'cairnctl on etcd', diag),
      ...mismatches(etcdctlOnCairn, forEtcdctl, SERVER_DIFFERENCES, 'etcdctl on cairn', diag),
      ...mismatches(cairnctlOnCairn, forCairnctl, SERVER_DIFFERENCES, 'cairnctl on cairn', diag),
    ];
    assert.equal(bad.length, 0, `${bad.length} golden mismatches:\n${bad.join('\n')}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
});
