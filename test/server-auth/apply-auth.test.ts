// Applying auth requests against a real backend: etcd's checks and errors, the stored layout (a
// reopened store reads the same users, roles, flag and revision), tokens, and the gate's checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { authpb, EtcdError } from '../../src/api';
import { Backend } from '../../src/mvcc';
import { AuthGate, AuthStore, SimpleTokens, applyAuthRequest, authorizeEntry, hashPassword, verifyPassword, PasswordError } from '../../src/server/auth';
import { InternalRaftRequest } from '../../src/server/internal-request';

/** one request field with some of its fields: fromPartial fills in the rest */
type Request = object;

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-auth-'));
  const backend = Backend.open(dir);
  const state = { store: AuthStore.open(backend), tokens: new SimpleTokens() };
  let id = 1n;
  const apply = (req: Request) =>
    backend.writeSync((w) => applyAuthRequest(w, InternalRaftRequest.fromPartial({ ...(req as InternalRaftRequest), header: { ID: id++ } }), state));
  const fails = (req: Request, message: string) =>
    assert.throws(() => apply(req), (err: unknown) => err instanceof EtcdError && err.message === message);
  const cleanup = async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, backend, state, apply, fails, cleanup };
}

function callWith(token?: string) {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('token', token);
  return { metadata };
}

test('users and roles follow etcd: checks, errors, revision, and the root rules once enabled', async () => {
  const f = fixture();
  try {
    f.fails({ authEnable: {} }, 'etcdserver: root user does not exist');
    f.apply({ authUserAdd: { name: 'root', hashedPassword: 'h' } });
    f.fails({ authEnable: {} }, 'etcdserver: root user does not have root role');
    f.fails({ authUserAdd: { name: 'root', hashedPassword: 'h' } }, 'etcdserver: user name already exists');
    f.fails({ authUserAdd: { name: '' } }, 'etcdserver: user name is empty');
    f.fails({ authUserGrantRole: { user: 'root', role: 'nope' } }, 'etcdserver: role name not found');
    f.apply({ authUserGrantRole: { user: 'root', role: 'root' } }); // the root role needs no role record
    f.apply({ authRoleAdd: { name: 'app' } });
    f.fails({ authRoleAdd: { name: 'app' } }, 'etcdserver: role name already exists');
    f.fails({ authRoleGrantPermission: { name: 'app', perm: { key: Buffer.from('b'), rangeEnd: Buffer.from('a'), permType: 0 } } }, 'etcdserver: invalid auth management');
    f.apply({ authRoleGrantPermission: { name: 'app', perm: { key: Buffer.from('/b'), rangeEnd: Buffer.alloc(0), permType: authpb.Permission_Type.READ } } });
    f.apply({ authRoleGrantPermission: { name: 'app', perm: { key: Buffer.from('/a/'), rangeEnd: Buffer.from('/a0'), permType: authpb.Permission_Type.READ } } });
    // granting the same key and range again updates its type
    f.apply({ authRoleGrantPermission: { name: 'app', perm: { key: Buffer.from('/a/'), rangeEnd: Buffer.from('/a0'), permType: authpb.Permission_Type.READWRITE } } });
    assert.deepEqual(
      f.state.store.role('app')?.keyPermission.map((p) => [Buffer.from(p.key).toString(), p.permType]),
      [['/a/', authpb.Permission_Type.READWRITE], ['/b', authpb.Permission_Type.READ]],
    );
    f.apply({ authUserAdd: { name: 'bob', hashedPassword: 'h' } });
    f.apply({ authUserGrantRole: { user: 'bob', role: 'app' } });
    f.fails({ authUserRevokeRole: { name: 'bob', role: 'root' } }, 'etcdserver: role is not granted to the user');
    const before = f.state.store.revision;
    f.apply({ authEnable: {} });
    assert.equal(f.state.store.revision, before, 'enabling does not move the auth revision, as etcd');
    f.apply({ authEnable: {} });
    f.fails({ authUserDelete: { name: 'root' } }, 'etcdserver: invalid auth management');
    f.fails({ authRoleDelete: { role: 'root' } }, 'etcdserver: invalid auth management');
    f.fails({ authUserRevokeRole: { name: 'root', role: 'root' } }, 'etcdserver: invalid auth management');
    f.fails({ authRoleRevokePermission: { role: 'app', key: Buffer.from('/zz') } }, 'etcdserver: permission is not granted to the role');
    f.apply({ authRoleDelete: { role: 'app' } });
    assert.deepEqual(f.state.store.user('bob')?.roles, [], 'deleting a role takes it from its users');

    const reopened = AuthStore.open(f.backend);
    assert.equal(reopened.enabled, true);
    assert.equal(reopened.revision, f.state.store.revision);
    assert.deepEqual(reopened.userNames(), ['bob', 'root']);
    assert.deepEqual(reopened.user('root')?.roles, ['root']);
    assert.deepEqual(reopened.roleNames(), []);
  } finally {
    await f.cleanup();
  }
});

test('Authenticate hands out a token that names the user until the user is deleted or auth disabled', async () => {
  const f = fixture();
  try {
    f.fails({ authenticate: { name: 'root', simpleToken: 'x' } }, 'etcdserver: authentication is not enabled');
    f.apply({ authUserAdd: { name: 'root', hashedPassword: 'h' } });
    f.apply({ authUserGrantRole: { user: 'root', role: 'root' } });
    f.apply({ authUserAdd: { name: 'carol', hashedPassword: 'h' } });
    f.apply({ authEnable: {} });
    f.fails({ authenticate: { name: 'nobody', simpleToken: 'x' } }, 'etcdserver: authentication failed, invalid user ID or password');
    const { token } = f.apply({ authenticate: { name: 'carol', simpleToken: 'abcdefghijklmnop' } });
    assert.match(token ?? '', /^abcdefghijklmnop\.\d+$/);
    const gate = new AuthGate(f.state.store, f.state.tokens);
    assert.equal(gate.caller(callWith(token))?.username, 'carol');
    // what a proposal carries to apply: the caller and the auth revision it was identified at
    assert.deepEqual(gate.proposer(callWith(token)), { username: 'carol', revision: f.state.store.revision });
    assert.throws(() => gate.caller(callWith('bogus.1')), /invalid auth token/);
    assert.throws(() => gate.checkRange(callWith(), Buffer.from('/k')), /user name is empty/);
    assert.throws(() => gate.checkRange(callWith(token), Buffer.from('/k')), /permission denied/);
    assert.throws(() => gate.checkAdmin(callWith(token)), /permission denied/);
    const rootToken = f.apply({ authenticate: { name: 'root', simpleToken: 'rrrrrrrrrrrrrrrr' } }).token;
    gate.checkAdmin(callWith(rootToken));
    gate.checkTxn(callWith(rootToken), { compare: [], success: [{ requestPut: { key: Buffer.from('/k'), value: Buffer.alloc(0), lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false } }], failure: [] });
    f.apply({ authUserDelete: { name: 'carol' } });
    assert.throws(() => gate.caller(callWith(token)), /invalid auth token/);
    f.apply({ authDisable: {} });
    assert.throws(() => gate.caller(callWith(rootToken)), /invalid auth token/);
    gate.checkAdmin(callWith());
    // with auth disabled: no user, at the current revision (apply refuses it if auth is enabled first)
    assert.deepEqual(gate.proposer(callWith(rootToken)), { username: '', revision: f.state.store.revision });
  } finally {
    await f.cleanup();
  }
});

test('apply checks an entry again as the user and at the auth revision its proposer wrote, as etcd\'s auth applier', async () => {
  const f = fixture();
  try {
    f.apply({ authUserAdd: { name: 'root', hashedPassword: 'h' } });
    f.apply({ authUserGrantRole: { user: 'root', role: 'root' } });
    f.apply({ authRoleAdd: { name: 'app' } });
    f.apply({ authRoleGrantPermission: { name: 'app', perm: { key: Buffer.from('/a/'), rangeEnd: Buffer.from('/a0'), permType: authpb.Permission_Type.READWRITE } } });
    f.apply({ authUserAdd: { name: 'bob', hashedPassword: 'h' } });
    f.apply({ authUserGrantRole: { user: 'bob', role: 'app' } });
    const put = (key: string) => ({ put: { key: Buffer.from(key), value: Buffer.from('v'), lease: 0n } });
    const leaseKeys = new Map<bigint, Buffer[]>([[7n, [Buffer.from('/a/leased')]], [8n, []]]);
    const check = (req: Request, username: string, authRevision: number) =>
      authorizeEntry(InternalRaftRequest.fromPartial({ ...(req as InternalRaftRequest), header: { ID: 1n, username, authRevision: BigInt(authRevision) } }), f.state.store, (id) => leaseKeys.get(id) ?? []);
    const refused = (req: Request, username: string, authRevision: number, message: string) =>
      assert.throws(() => check(req, username, authRevision), (err: unknown) => err instanceof EtcdError && err.message === message);

    check(put('/b'), 'bob', 1); // nothing is checked while auth is disabled
    f.apply({ authEnable: {} });
    const proposedAt = f.state.store.revision;
    check(put('/a/x'), 'bob', proposedAt);
    check({ leaseRevoke: { ID: 7n } }, 'bob', proposedAt);
    refused(put('/b'), 'bob', proposedAt, 'etcdserver: permission denied');
    refused({ txn: { compare: [], success: [put('/a/x').put].map((p) => ({ requestPut: p })), failure: [{ requestRange: { key: Buffer.from('/b') } }] } }, 'bob', proposedAt, 'etcdserver: permission denied');
    refused(put('/a/x'), '', proposedAt, 'etcdserver: user name is empty');
    refused({ authUserAdd: { name: 'eve' } }, 'bob', proposedAt, 'etcdserver: permission denied');

    // The permission is revoked between the proposer's check and apply.
    f.apply({ authRoleRevokePermission: { role: 'app', key: Buffer.from('/a/'), rangeEnd: Buffer.from('/a0') } });
    refused(put('/a/x'), 'bob', proposedAt, 'etcdserver: revision of auth store is old');
    refused({ deleteRange: { key: Buffer.from('/a/x') } }, 'bob', proposedAt, 'etcdserver: revision of auth store is old');
    refused({ leaseRevoke: { ID: 7n } }, 'bob', proposedAt, 'etcdserver: revision of auth store is old');
    refused(put('/a/x'), 'root', proposedAt, 'etcdserver: revision of auth store is old');
    refused(put('/a/x'), 'bob', f.state.store.revision, 'etcdserver: permission denied');
    // what needs no key permission: a lease without keys, root's lease revoke and admin changes (etcd checks no revision there)
    check({ leaseRevoke: { ID: 8n } }, 'bob', proposedAt);
    check({ leaseRevoke: { ID: 7n } }, 'root', proposedAt);
    check({ authUserAdd: { name: 'eve' } }, 'root', proposedAt);
    // entries without an auth revision: a lease's expiry, and entries written before apply checked
    check({ leaseRevoke: { ID: 7n } }, '', 0);
    check(put('/a/x'), '', 0);
  } finally {
    await f.cleanup();
  }
});

test('a token expires 5 minutes after its last use', () => {
  let now = 0;
  const tokens = new SimpleTokens(() => now);
  const token = tokens.assign('p', 7n, 'dave');
  now = 4 * 60_000;
  assert.equal(tokens.user(token), 'dave');
  now += 4 * 60_000;
  assert.equal(tokens.user(token), 'dave', 'using it extended it');
  now += 5 * 60_000;
  assert.equal(tokens.user(token), undefined);
});

test('passwords: scrypt hashes verify; a bcrypt hash from etcd is refused with a clear error', async () => {
  const hash = await hashPassword('s3cret');
  assert.equal(await verifyPassword('s3cret', hash), true);
  assert.equal(await verifyPassword('wrong', hash), false);
  await assert.rejects(verifyPassword('x', Buffer.from('$2a$10$abcdefghijklmnopqrstuuM2zM6f1Yq1X0bFv8e8m1C5tQ6f1Yq1X')), PasswordError);
});
