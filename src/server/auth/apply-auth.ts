// Applying the auth requests: each one a deterministic change of the auth store (password hashes and
// token prefixes were made before proposing), in etcd's order of checks and with etcd's errors.
import { authpb, etcdError, etcdserverpb } from '../../api';
import type { BackendWriter } from '../../mvcc';
import type { InternalRaftRequest } from '../internal-request';
import { checkAdmin, checkDeleteRange, checkLeaseKeys, checkPut, checkTxn } from './checks';
import { AuthStore, rootRole, rootUser } from './store';
import type { SimpleTokens } from './token';

export interface AuthApplyState {
  store: AuthStore;
  tokens: SimpleTokens;
}

/** The Authenticate answer; the other auth requests answer with only a header. */
export type AuthApplied = { token?: string };

export function isAuthRequest(req: InternalRaftRequest): boolean {
  return (
    req.authEnable !== undefined ||
    req.authDisable !== undefined ||
    req.authenticate !== undefined ||
    req.authUserAdd !== undefined ||
    req.authUserDelete !== undefined ||
    req.authUserChangePassword !== undefined ||
    req.authUserGrantRole !== undefined ||
    req.authUserRevokeRole !== undefined ||
    req.authRoleAdd !== undefined ||
    req.authRoleDelete !== undefined ||
    req.authRoleGrantPermission !== undefined ||
    req.authRoleRevokePermission !== undefined
  );
}

/**
 * etcd's auth applier: an entry proposed under auth is checked again when applied, as the user and at
 * the auth revision its header carries, so that a change made after the proposer's check (a revoked
 * permission or role, a deleted user) still holds: a caller identified before the change gets
 * "revision of auth store is old" and asks again; one proposed while auth was disabled, "user name
 * is empty". Entries without an auth revision are not checked: internal ones (a lease's expiry) and
 * those of cairn versions before this check.
 */
export function authorizeEntry(req: InternalRaftRequest, store: AuthStore, leaseKeys: (id: bigint) => Uint8Array[]): void {
  if (!store.enabled) return;
  const revision = Number(req.header?.authRevision ?? 0n);
  if (revision === 0) return;
  const info = { username: req.header?.username ?? '', revision };
  if (isAuthRequest(req) && req.authenticate === undefined) {
    checkAdmin(store, info);
  } else if (req.put !== undefined) {
    checkPut(store, info, req.put);
    if (req.put.lease !== 0n) checkLeaseKeys(store, info, 'write', leaseKeys(req.put.lease));
  } else if (req.deleteRange !== undefined) {
    checkDeleteRange(store, info, req.deleteRange);
  } else if (req.txn !== undefined) {
    checkTxn(store, info, req.txn);
  } else if (req.leaseRevoke !== undefined) {
    checkLeaseKeys(store, info, 'write', leaseKeys(req.leaseRevoke.ID));
  }
}

function existingUser(store: AuthStore, name: string): authpb.User {
  const user = store.user(name);
  if (user === undefined) throw etcdError('userNotFound');
  return user;
}

function existingRole(store: AuthStore, name: string): authpb.Role {
  const role = store.role(name);
  if (role === undefined) throw etcdError('roleNotFound');
  return role;
}

/** etcd refuses a permission whose range is empty or backwards (a range end of "\0" means open-ended). */
function validRange(key: Uint8Array, rangeEnd: Uint8Array): boolean {
  if (key.length === 0) return false;
  if (rangeEnd.length === 0 || (rangeEnd.length === 1 && rangeEnd[0] === 0)) return true;
  return Buffer.compare(Buffer.from(key), Buffer.from(rangeEnd)) < 0;
}

function grantPermission(role: authpb.Role, perm: authpb.Permission): authpb.Role {
  const same = (p: authpb.Permission) => Buffer.from(p.key).equals(Buffer.from(perm.key)) && Buffer.from(p.rangeEnd).equals(Buffer.from(perm.rangeEnd));
  const kept = role.keyPermission.filter((p) => !same(p));
  const updated = [...kept, { key: perm.key, rangeEnd: perm.rangeEnd, permType: perm.permType }];
  updated.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  return { name: role.name, keyPermission: updated };
}

function addUser(backend: BackendWriter, store: AuthStore, r: etcdserverpb.AuthUserAddRequest): void {
  if (r.name.length === 0) throw etcdError('userEmpty');
  if (store.user(r.name) !== undefined) throw etcdError('userAlreadyExist');
  const noPassword = r.options?.noPassword ?? false;
  store.unsafePutUser(backend, {
    name: Buffer.from(r.name),
    password: noPassword ? Buffer.alloc(0) : Buffer.from(r.hashedPassword),
    roles: [],
    options: { noPassword },
  });
}

/** Applies one auth request. @throws EtcdError: the request's answer */
export function applyAuthRequest(backend: BackendWriter, req: InternalRaftRequest, state: AuthApplyState): AuthApplied {
  const { store, tokens } = state;
  if (req.authEnable !== undefined) {
    store.unsafeEnable(backend);
  } else if (req.authDisable !== undefined) {
    if (store.unsafeDisable(backend)) tokens.clear();
  } else if (req.authenticate !== undefined) {
    const r = req.authenticate;
    if (!store.enabled) throw etcdError('authNotEnabled');
    const user = store.user(r.name);
    if (user === undefined || user.options?.noPassword) throw etcdError('authFailed');
    return { token: tokens.assign(r.simpleToken, req.header?.ID ?? req.ID, r.name) };
  } else if (req.authUserAdd !== undefined) {
    addUser(backend, store, req.authUserAdd);
  } else if (req.authUserDelete !== undefined) {
    const name = req.authUserDelete.name;
    if (store.enabled && name === rootUser) throw etcdError('invalidAuthMgmt');
    existingUser(store, name);
    store.unsafeDeleteUser(backend, name);
    tokens.invalidateUser(name);
  } else if (req.authUserChangePassword !== undefined) {
    const r = req.authUserChangePassword;
    const user = existingUser(store, r.name);
    store.unsafePutUser(backend, { ...user, password: Buffer.from(r.hashedPassword) });
    tokens.invalidateUser(r.name);
  } else if (req.authUserGrantRole !== undefined) {
    const r = req.authUserGrantRole;
    const user = existingUser(store, r.user);
    if (r.role !== rootRole) existingRole(store, r.role);
    if (!user.roles.includes(r.role)) {
      const roles = [...user.roles, r.role].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      store.unsafePutUser(backend, { ...user, roles });
    }
  } else if (req.authUserRevokeRole !== undefined) {
    const r = req.authUserRevokeRole;
    if (store.enabled && r.name === rootUser && r.role === rootRole) throw etcdError('invalidAuthMgmt');
    const user = existingUser(store, r.name);
    if (!user.roles.includes(r.role)) throw etcdError('roleNotGranted');
    store.unsafePutUser(backend, { ...user, roles: user.roles.filter((x) => x !== r.role) });
  } else if (req.authRoleAdd !== undefined) {
    const name = req.authRoleAdd.name;
    if (name.length === 0) throw etcdError('roleEmpty');
    if (store.role(name) !== undefined) throw etcdError('roleAlreadyExist');
    store.unsafePutRole(backend, { name: Buffer.from(name), keyPermission: [] });
  } else if (req.authRoleDelete !== undefined) {
    const name = req.authRoleDelete.role;
    if (store.enabled && name === rootRole) throw etcdError('invalidAuthMgmt');
    existingRole(store, name);
    store.unsafeDeleteRole(backend, name);
  } else if (req.authRoleGrantPermission !== undefined) {
    const r = req.authRoleGrantPermission;
    if (r.perm === undefined) throw etcdError('permissionNotGiven');
    if (!validRange(r.perm.key, r.perm.rangeEnd)) throw etcdError('invalidAuthMgmt');
    store.unsafePutRole(backend, grantPermission(existingRole(store, r.name), r.perm));
  } else if (req.authRoleRevokePermission !== undefined) {
    const r = req.authRoleRevokePermission;
    const role = existingRole(store, r.role);
    const same = (p: authpb.Permission) => Buffer.from(p.key).equals(Buffer.from(r.key)) && Buffer.from(p.rangeEnd).equals(Buffer.from(r.rangeEnd));
    if (!role.keyPermission.some(same)) throw etcdError('permissionNotGranted');
    store.unsafePutRole(backend, { name: role.name, keyPermission: role.keyPermission.filter((p) => !same(p)) });
  }
  return {};
}
