// Password prompts on a real terminal: the compiled cairnctl against cairn and the real etcdctl 3.4
// against real etcd run on a pseudo-terminal, are typed the same keys, and must show the same
// thing, exit the same way and leave the terminal with echo on. The password typed is then the one
// the server accepts.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { hasEtcdctl, startLoneCairn } from '../cli/cairn-process';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { cairnctlCommand, run, type Tool } from './ctl-process';
import { hasPython3, runInPty, type PtyResult, type PtyStep } from './pty-driver';

const DEL = '\x7f';
const CTRL_C = '\x03';

function command(tool: Tool, endpoint: string, args: readonly string[]): string[] {
  const flags = [`--endpoints=${endpoint}`, '--dial-timeout=2s'];
  return tool === 'etcdctl' ? ['etcdctl', ...flags, ...args] : [process.execPath, ...cairnctlCommand(), ...flags, ...args];
}

/** What a run showed, without etcdctl's client-library log lines. */
function seen(r: PtyResult): string {
  const stderr = r.stderrPipe.split('\n').filter((l) => !l.startsWith('{"level"')).join('\n');
  return `exit ${r.code} echo=${r.echo} icanon=${r.icanon} stuck=${r.stuck} terminal ${JSON.stringify(r.output)} stderr ${JSON.stringify(stderr)}`;
}

async function onTerminal(tool: Tool, endpoint: string, args: readonly string[], steps: readonly PtyStep[]): Promise<string> {
  const r = await runInPty({ cmd: command(tool, endpoint, args), env: { ETCDCTL_API: '3' }, steps, stderr: 'pipe', timeout: 20 });
  assert.equal(r.timedOut, false, `${tool} ${args.join(' ')}: ${seen(r)}`);
  return seen(r);
}

/** The same keys for both tools; what each showed, step by step. */
async function scenario(tool: Tool, endpoint: string): Promise<string[]> {
  const shown: string[] = [];
  // Backspace works while nothing is echoed: "s3cx<DEL>ret" is "s3cret".
  shown.push(await onTerminal(tool, endpoint, ['user', 'add', 'root'], [
    { expect: 'Password of root: ', send: ['s3cx', `${DEL}ret\r`] },
    { expect: 'again for confirmation: ', send: ['s3cret\r'] },
  ]));
  shown.push(await onTerminal(tool, endpoint, ['user', 'add', 'alice'], [
    { expect: 'Password of alice: ', send: ['one\r'] },
    { expect: 'again for confirmation: ', send: ['two\r'] },
  ]));
  shown.push(await onTerminal(tool, endpoint, ['user', 'add', 'bob'], [
    { expect: 'Password of bob: ', send: ['half', CTRL_C] },
  ]));
  shown.push(await onTerminal(tool, endpoint, ['auth', 'enable'], []));
  shown.push(await onTerminal(tool, endpoint, ['--user', 'root', 'put', 'k', 'v'], [
    { expect: 'Password: ', send: ['s3cret\r'] },
  ]));
  shown.push(await onTerminal(tool, endpoint, ['--user', 'root', 'user', 'add', 'carol'], [
    { expect: 'Password of carol: ', send: ['c4rol\r'] },
    { expect: 'again for confirmation: ', send: ['c4rol\r'] },
    { expect: 'Password: ', send: ['s3cret\r'] },
  ]));
  return shown;
}

/** The users' passwords are the ones typed (checked without a terminal, with the real etcdctl). */
async function checkPasswords(t: TestContext, endpoint: string): Promise<void> {
  const ok = await run(t, 'etcdctl', endpoint, ['--user', 'root:s3cret', 'get', 'k', '--print-value-only']);
  assert.deepEqual([ok.code, ok.stdout], [0, 'v\n'], ok.stderr);
  const wrong = await run(t, 'etcdctl', endpoint, ['--user', 'root:s3cx', 'get', 'k']);
  assert.equal(wrong.code, 2, 'the erased character is not in the password');
  const carol = await run(t, 'etcdctl', endpoint, ['--user', 'carol:c4rol', 'get', 'k']);
  assert.deepEqual([carol.code, carol.stderr.trim()], [1, 'Error: etcdserver: permission denied'], 'carol authenticates (and has no role)');
  const users = await run(t, 'etcdctl', endpoint, ['--user', 'root:s3cret', 'user', 'list']);
  assert.equal(users.stdout, 'carol\nroot\n', 'alice (passwords differed) and bob (interrupted) were not created');
}

const skip = !hasPython3() ? 'needs python3 for the pseudo-terminal'
  : !hasRealEtcd() || !hasEtcdctl() ? 'needs Debian etcd-server and etcd-client' : false;

test('password prompts on a terminal: cairnctl on cairn as etcdctl on etcd', { timeout: 180_000, skip }, async (t) => {
  const cairn = await startLoneCairn();
  t.after(() => cairn.stop());
  const etcd = await startRealEtcd();
  t.after(() => etcd.stop());

  const expected = await scenario('etcdctl', etcd.endpoint);
  const actual = await scenario('cairnctl', cairn.url);
  assert.deepEqual(actual, expected);
  // What they showed, so that a change on either side is seen here too.
  assert.deepEqual(actual, [
    `exit 0 echo=true icanon=true stuck=null terminal ${JSON.stringify('Password of root: \r\nType password of root again for confirmation: \r\nUser root created\r\n')} stderr ""`,
    `exit 128 echo=true icanon=true stuck=null terminal ${JSON.stringify('Password of alice: \r\nType password of alice again for confirmation: \r\n')} stderr "Error: given passwords are different\\n"`,
    `exit 255 echo=true icanon=true stuck=null terminal ${JSON.stringify('Password of bob: ')} stderr ""`,
    `exit 0 echo=true icanon=true stuck=null terminal ${JSON.stringify('Authentication Enabled\r\n')} stderr ""`,
    `exit 0 echo=true icanon=true stuck=null terminal ${JSON.stringify('Password: \r\nOK\r\n')} stderr ""`,
    `exit 0 echo=true icanon=true stuck=null terminal ${JSON.stringify('Password of carol: \r\nType password of carol again for confirmation: \r\nPassword: \r\nUser carol created\r\n')} stderr ""`,
  ]);
  await checkPasswords(t, etcd.endpoint);
  await checkPasswords(t, cairn.url);

  // cairnctl's own choice: with stdout redirected, the prompt goes to the terminal on stderr
  // (etcdctl writes it into the redirected output, where nobody sees it).
  const redirected = await runInPty({
    cmd: command('cairnctl', cairn.url, ['--user', 'root', 'get', 'k', '--print-value-only']), steps: [{ expect: 'Password: ', send: ['s3cret\r'] }], stdout: 'pipe', timeout: 20,
  });
  assert.deepEqual([redirected.code, redirected.output, redirected.stdoutPipe, redirected.echo], [0, 'Password: \r\n', 'v\n', true], seen(redirected));
});
