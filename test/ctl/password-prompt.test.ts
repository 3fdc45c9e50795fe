// Password prompts through cairnctl's io (readSecret scripted here, in-process): the prompts
// etcdctl 3.4 prints, its errors and exit codes, and the password that was typed being the one the
// server then accepts. The same steps run against cairn and against Debian's real etcd 3.4.
// password-terminal.test.ts drives the real terminal and compares with etcdctl there.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { runCtl, type CtlIo } from '../../src/ctl';
import { goTrimSpace } from '../../src/ctl/password';
import { startLoneCairn } from '../cli/cairn-process';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The prompts shown, in order. */
  readonly prompts: readonly string[];
}

/**
 * cairnctl in-process. `typed`: the entries typed at each prompt in turn (as the terminal gives
 * them, before speakeasy's trim), or null for no terminal (readSecret absent).
 */
async function cairnctl(endpoints: string, args: readonly string[], typed: readonly string[] | null): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const prompts: string[] = [];
  const entries = [...(typed ?? [])];
  const io: CtlIo = {
    env: { PATH: process.env.PATH },
    output: { out: (d) => { stdout += Buffer.from(d).toString(); }, err: (t) => { stderr += t; } },
    readStdin: async () => Buffer.alloc(0),
    readLine: async () => null,
    // As the terminal reader: the prompt, the entry (not echoed), then the newline.
    readSecret: typed === null ? undefined : async (prompt) => {
      prompts.push(prompt);
      stdout += prompt;
      const entry = entries.shift();
      if (entry === undefined) throw new Error(`no entry scripted for prompt ${JSON.stringify(prompt)}`);
      stdout += '\n';
      return entry;
    },
  };
  const code = await runCtl([`--endpoints=${endpoints}`, '--dial-timeout=2s', ...args], io);
  assert.equal(entries.length, 0, `every scripted entry was asked for (${args.join(' ')}); left ${JSON.stringify(entries)}`);
  return { code, stdout, stderr, prompts };
}

interface Server {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const startCairnServer = (): Promise<Server> => startLoneCairn();

async function startEtcdServer(): Promise<Server> {
  const etcd = await startRealEtcd();
  return { endpoint: `127.0.0.1:${etcd.clientPort}`, stop: () => etcd.stop() };
}

const ADD_PROMPTS = (name: string) => [`Password of ${name}: `, `Type password of ${name} again for confirmation: `];

async function promptFlows(t: TestContext, server: Server): Promise<void> {
  const ep = server.endpoint;
  const run = (args: readonly string[], typed: readonly string[] | null) => cairnctl(ep, args, typed);

  await t.test('user add asks twice, on stdout, and creates the user', async () => {
    const r = await run(['user', 'add', 'root'], ['rootpw', 'rootpw']);
    assert.deepEqual(r, {
      code: 0,
      stdout: 'Password of root: \nType password of root again for confirmation: \nUser root created\n',
      stderr: '',
      prompts: ADD_PROMPTS('root'),
    });
  });

  await t.test('two different entries: etcdctl\'s error and exit code 128, no user', async () => {
    const r = await run(['user', 'add', 'alice'], ['one', 'two']);
    assert.deepEqual(r, {
      code: 128,
      stdout: 'Password of alice: \nType password of alice again for confirmation: \n',
      stderr: 'Error: given passwords are different\n',
      prompts: ADD_PROMPTS('alice'),
    });
    assert.deepEqual(await run(['user', 'get', 'alice'], []), { code: 1, stdout: '', stderr: 'Error: etcdserver: user name not found\n', prompts: [] });
  });

  await t.test('an empty entry (Enter, or ^D at the start) ends at the first prompt', async () => {
    const r = await run(['user', 'add', 'alice'], ['']);
    assert.deepEqual(r, { code: 128, stdout: 'Password of alice: \n', stderr: 'Error: empty password\n', prompts: ['Password of alice: '] });
    assert.equal((await run(['user', 'add', 'alice'], ['   '])).stderr, 'Error: empty password\n', 'blanks only are trimmed to nothing');
  });

  await t.test('the entries are trimmed as speakeasy trims them before they are compared', async () => {
    const r = await run(['user', 'add', 'alice'], ['  alice pw\t', 'alice pw']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.endsWith('User alice created\n'), true);
  });

  await t.test('name:password, --new-user-password and --no-password do not ask', async () => {
    assert.deepEqual(await run(['user', 'add', 'bob:bobpw'], []), { code: 0, stdout: 'User bob created\n', stderr: '', prompts: [] });
    assert.deepEqual(await run(['user', 'add', 'carol', '--new-user-password', 'cpw'], []), { code: 0, stdout: 'User carol created\n', stderr: '', prompts: [] });
    assert.deepEqual(await run(['user', 'add', 'dave', '--no-password'], []), { code: 0, stdout: 'User dave created\n', stderr: '', prompts: [] });
  });

  await t.test('auth enable, then --user NAME asks "Password: " once and authenticates with the entry', async () => {
    assert.equal((await run(['auth', 'enable'], [])).stdout, 'Authentication Enabled\n');
    assert.deepEqual(await run(['--user', 'root', 'put', 'k', 'v'], ['rootpw']), { code: 0, stdout: 'Password: \nOK\n', stderr: '', prompts: ['Password: '] });
    assert.deepEqual(await run(['--user', 'root', 'get', 'k', '--print-value-only'], [' rootpw ']), { code: 0, stdout: 'Password: \nv\n', stderr: '', prompts: ['Password: '] });
    // Two endpoints, a client each: still one prompt.
    const health = await cairnctl(`${ep},${ep}`, ['--user', 'root', 'endpoint', 'health'], ['rootpw']);
    assert.equal(health.code, 0, health.stderr);
    assert.deepEqual(health.prompts, ['Password: ']);
  });

  await t.test('the password typed at user add is the one the server accepts', async () => {
    assert.deepEqual(await run(['--user', 'alice', 'get', 'k'], ['alice pw']), { code: 1, stdout: 'Password: \n', stderr: 'Error: etcdserver: permission denied\n', prompts: ['Password: '] });
    assert.deepEqual(await run(['--user', 'alice', 'get', 'k'], ['other']), { code: 2, stdout: 'Password: \n', stderr: 'Error: etcdserver: authentication failed, invalid user ID or password\n', prompts: ['Password: '] });
  });

  await t.test('--user with user add: the new user\'s two prompts come first, then "Password: "', async () => {
    const r = await run(['--user', 'root', 'user', 'add', 'erin'], ['erinpw', 'erinpw', 'rootpw']);
    assert.deepEqual(r, {
      code: 0,
      stdout: 'Password of erin: \nType password of erin again for confirmation: \nPassword: \nUser erin created\n',
      stderr: '',
      prompts: [...ADD_PROMPTS('erin'), 'Password: '],
    });
  });

  await t.test('user passwd asks twice, and the new password is the one accepted', async () => {
    const r = await run(['--user', 'root:rootpw', 'user', 'passwd', 'alice'], ['new pw', 'new pw']);
    assert.deepEqual(r, {
      code: 0,
      stdout: 'Password of alice: \nType password of alice again for confirmation: \nPassword updated\n',
      stderr: '',
      prompts: ADD_PROMPTS('alice'),
    });
    assert.equal((await run(['--user', 'alice', 'get', 'k'], ['new pw'])).stderr, 'Error: etcdserver: permission denied\n');
    assert.equal((await run(['--user', 'alice', 'get', 'k'], ['alice pw'])).code, 2);
    const mismatch = await run(['--user', 'root:rootpw', 'user', 'passwd', 'alice'], ['x', 'y']);
    assert.deepEqual([mismatch.code, mismatch.stderr], [128, 'Error: given passwords are different\n']);
  });

  await t.test('an empty password at "Password: " sends no credentials, as clientv3 (and so does --user NAME:)', async () => {
    const expected = { code: 1, stderr: 'Error: etcdserver: user name is empty\n' };
    const asked = await run(['--user', 'root', 'get', 'k'], ['']);
    assert.deepEqual({ code: asked.code, stderr: asked.stderr }, expected);
    const colon = await run(['--user', 'root:', 'get', 'k'], []);
    assert.deepEqual({ code: colon.code, stderr: colon.stderr }, expected);
  });

  await t.test('no prompt before the command\'s own argument checks, nor with a password given', async () => {
    const r = await run(['--user', 'root', 'get'], []);
    assert.deepEqual([r.code, r.prompts], [128, []]);
    assert.equal((await run(['--user', 'root', '--password', 'rootpw', 'get', 'k', '--print-value-only'], [])).stdout, 'v\n');
    assert.equal((await run(['--user', 'root:rootpw', 'get', 'k', '--print-value-only'], [])).stdout, 'v\n');
  });

  await t.test('without a terminal: a clear error naming the flags to use, and nothing read', async () => {
    assert.deepEqual(await run(['--user', 'root', 'get', 'k'], null), {
      code: 1,
      stdout: '',
      stderr: 'Error: failed to ask password: standard input is not a terminal; give --user root:PASSWORD or --password PASSWORD\n',
      prompts: [],
    });
    assert.deepEqual(await run(['--user', 'root:rootpw', 'user', 'add', 'frank'], null), {
      code: 128,
      stdout: '',
      stderr: 'Error: failed to ask password: standard input is not a terminal; give frank:PASSWORD, --new-user-password PASSWORD or --interactive=false with the password on standard input\n',
      prompts: [],
    });
    assert.deepEqual(await run(['--user', 'root:rootpw', 'user', 'passwd', 'alice'], null), {
      code: 128,
      stdout: '',
      stderr: 'Error: failed to ask password: standard input is not a terminal; give --interactive=false with the password on standard input\n',
      prompts: [],
    });
  });
}

test('goTrimSpace is Go\'s strings.TrimSpace', () => {
  assert.equal(goTrimSpace(' \t\r\n\v\f pw \u0085\u00a0\u3000'), 'pw');
  assert.equal(goTrimSpace('\ufeffpw\ufeff'), '\ufeffpw\ufeff', 'U+FEFF is no space to Go');
  assert.equal(goTrimSpace('a b'), 'a b');
});

test('password prompts against cairn', { timeout: 120_000 }, async (t) => {
  const server = await startCairnServer();
  try {
    await promptFlows(t, server);
  } finally {
    await server.stop();
  }
});

test('password prompts against real etcd 3.4', { timeout: 120_000, skip: hasRealEtcd() ? false : 'needs Debian etcd-server' }, async (t) => {
  const server = await startEtcdServer();
  try {
    await promptFlows(t, server);
  } finally {
    await server.stop();
  }
});
