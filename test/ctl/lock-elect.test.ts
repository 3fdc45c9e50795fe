// lock and elect as real processes: cairnctl against cairn and etcdctl against real etcd 3.4 go
// through the same steps, and what they print is compared once lease ids are replaced.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { hasEtcdctl, startLoneCairn } from '../cli/cairn-process';
import { run, start, WAIT_MS, type Tool } from './ctl-process';

/** How many keys are under the prefix (with real etcdctl, whatever the tool under test). */
async function keysUnder(t: TestContext, endpoint: string, prefix: string): Promise<number> {
  const r = await run(t, 'etcdctl', endpoint, ['get', prefix, '--prefix', '--keys-only']);
  return r.stdout.split('\n').filter((l) => l !== '').length;
}

async function waitForKeys(t: TestContext, endpoint: string, prefix: string, count: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while ((await keysUnder(t, endpoint, prefix)) !== count) {
    if (Date.now() > deadline) throw new Error(`${count} keys under ${prefix} not seen within ${WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lease ids in keys ("L/694d7c0e3b1a2f04") and revisions differ between servers and runs. */
function shape(text: string): string {
  return text.replace(/\/[0-9a-f]{1,16}\b/g, '/<ID>').replace(/(?<!exit )\b\d+\b/g, '<N>');
}

interface Server {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function startCairnServer(): Promise<Server> {
  const cairn = await startLoneCairn();
  return { endpoint: cairn.url, stop: cairn.stop };
}

async function startEtcdServer(): Promise<Server> {
  const etcd = await startRealEtcd();
  return { endpoint: etcd.endpoint, stop: () => etcd.stop() };
}

/** The tool under test against its server: cairnctl on cairn, etcdctl on etcd (the reference). */
const PAIRS: readonly { tool: Tool; server: () => Promise<Server> }[] = [
  { tool: 'cairnctl', server: startCairnServer },
  { tool: 'etcdctl', server: startEtcdServer },
];

const skip = !hasRealEtcd() || !hasEtcdctl() ? 'needs Debian etcd-server and etcd-client' : false;

/** Mutual exclusion: the second lock is taken only once the first holder is interrupted. */
async function lockScenario(t: TestContext, tool: Tool, endpoint: string): Promise<string[]> {
  const seen: string[] = [];
  const first = start(t, tool, endpoint, ['lock', 'L']);
  await first.waitFor(/^L\/[0-9a-f]+\n\n$/);
  const second = start(t, tool, endpoint, ['lock', 'L']);
  await waitForKeys(t, endpoint, 'L/', 2);
  assert.equal(second.stdout(), '', `${tool}: the second lock is not taken while the first is held`);
  const firstOut = await first.stop('SIGINT');
  seen.push(`first: exit ${firstOut.code} ${JSON.stringify(firstOut.stdout)} ${JSON.stringify(firstOut.stderr)}`);
  await second.waitFor(/^L\/[0-9a-f]+\n\n$/);
  assert.notEqual(second.stdout(), firstOut.stdout, `${tool}: a key of its own`);
  const secondOut = await second.stop('SIGTERM');
  seen.push(`second: exit ${secondOut.code} ${JSON.stringify(secondOut.stdout)} ${JSON.stringify(secondOut.stderr)}`);
  assert.equal(await keysUnder(t, endpoint, 'L/'), 0, `${tool}: the lock keys are gone`);

  // A waiter that is interrupted reports Go's context error and takes its key back out.
  const holder = start(t, tool, endpoint, ['lock', 'W']);
  await holder.waitFor(/^W\//);
  const waiter = start(t, tool, endpoint, ['lock', 'W']);
  await waitForKeys(t, endpoint, 'W/', 2);
  const waiterOut = await waiter.stop('SIGINT');
  seen.push(`waiter: exit ${waiterOut.code} ${JSON.stringify(waiterOut.stdout)} ${JSON.stringify(waiterOut.stderr)}`);
  assert.equal(await keysUnder(t, endpoint, 'W/'), 1);
  await holder.stop('SIGINT');

  // With a command: its environment names the key, and the key is gone afterwards.
  const withCommand = await run(t, tool, endpoint, ['lock', 'C', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY $ETCD_LOCK_REV"']);
  assert.match(withCommand.stdout, /^C\/[0-9a-f]+ \d+\n$/);
  seen.push(`command: exit ${withCommand.code} ${JSON.stringify(withCommand.stdout)} ${JSON.stringify(withCommand.stderr)}`);
  assert.equal(await keysUnder(t, endpoint, 'C/'), 0, `${tool}: the key is deleted after the command`);
  const json = start(t, tool, endpoint, ['-w', 'json', 'lock', 'J']);
  await json.waitFor(/\}\n$/);
  const jsonOut = await json.stop('SIGINT');
  seen.push(`json: exit ${jsonOut.code} ${JSON.stringify(jsonOut.stdout.replace(/"key":"[^"]*"/, '"key":"<KEY>"'))} ${JSON.stringify(jsonOut.stderr)}`);
  return seen.map(shape);
}

/** A leader, a candidate that waits, and an observer that sees the leadership move. */
async function electScenario(t: TestContext, tool: Tool, endpoint: string): Promise<string[]> {
  const seen: string[] = [];
  // The observer reads the current leader first, so it may start at any point before the change.
  const observer = start(t, tool, endpoint, ['elect', '-l', 'E']);
  const leader = start(t, tool, endpoint, ['elect', 'E', 'one']);
  await leader.waitFor(/^E\/[0-9a-f]+\none\n$/);
  const candidate = start(t, tool, endpoint, ['elect', 'E', 'two']);
  await waitForKeys(t, endpoint, 'E/', 2);
  assert.equal(candidate.stdout(), '', `${tool}: the second candidate waits`);
  await observer.waitFor(/\none\n$/);
  const leaderOut = await leader.stop('SIGINT');
  seen.push(`leader: exit ${leaderOut.code} ${JSON.stringify(leaderOut.stdout)} ${JSON.stringify(leaderOut.stderr)}`);
  await candidate.waitFor(/^E\/[0-9a-f]+\ntwo\n$/);
  await observer.waitFor(/\ntwo\n$/);
  const candidateOut = await candidate.stop('SIGINT');
  seen.push(`candidate: exit ${candidateOut.code} ${JSON.stringify(candidateOut.stdout)} ${JSON.stringify(candidateOut.stderr)}`);
  const observerOut = await observer.stop('SIGINT');
  seen.push(`observer: exit ${observerOut.code} ${JSON.stringify(observerOut.stdout)} ${JSON.stringify(observerOut.stderr)}`);
  assert.equal(await keysUnder(t, endpoint, 'E/'), 0, `${tool}: resigned`);
  return seen.map(shape);
}

const BAD_INPUT: readonly (readonly string[])[] = [
  ['lock'],
  ['lock', '--ttl', 'x', 'L'],
  ['lock', '--ttl', '99999999999999999999', 'L'],
  ['lock', 'L', 'sh', '-c', 'true'],
  ['lock', 'L', '--', 'sh', '-c', 'exit 3'],
  ['lock', 'L', '--', 'sh', '-c', 'kill -TERM $$'],
  ['lock', 'L', '--', 'no-such-command-here'],
  ['-w', 'table', 'lock', 'T'],
  ['elect'],
  ['elect', 'E'],
  ['elect', '-l', 'E', 'p'],
  ['elect', 'E', 'p', 'q'],
];

/** Exit code and stderr of each bad command line (etcdctl's usage text on stdout is not compared). */
async function badInputScenario(t: TestContext, tool: Tool, endpoint: string): Promise<string[]> {
  const seen: string[] = [];
  for (const args of BAD_INPUT) {
    const r = await run(t, tool, endpoint, args);
    seen.push(`${args.join(' ')}: exit ${r.code} ${JSON.stringify(r.stderr)}`);
  }
  return seen;
}

for (const [name, scenario] of [['lock', lockScenario], ['elect', electScenario], ['bad input', badInputScenario]] as const) {
  test(`${name}: cairnctl on cairn answers as etcdctl on etcd 3.4`, { skip, timeout: 180_000 }, async (t) => {
    const results: string[][] = [];
    for (const pair of PAIRS) {
      const server = await pair.server();
      t.after(() => server.stop());
      results.push(await scenario(t, pair.tool, server.endpoint));
    }
    t.diagnostic(results[0].join('\n'));
    assert.deepEqual(results[0], results[1]);
  });
}
