// Users, roles, the enabled flag and the auth revision, kept as etcd keeps them: authpb.User in the
// `authUsers` sub-database and authpb.Role in `authRoles` (keyed by name), "authEnabled" (one byte)
// and "authRevision" (8 bytes big-endian) in `auth`. An in-memory copy answers reads; only apply
// changes it, through the unsafe* methods, inside the batch's write transaction.
import { authpb, etcdError } from '../../api';
import type { Backend, BackendWriter } from '../../mvcc';
import { UserPermissions, userPermissions } from './permissions';

export const rootUser = 'root';
export const rootRole = 'root';

const enabledKey = Buffer.from('authEnabled');
const revisionKey = Buffer.from('authRevision');

function revisionBytes(revision: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(revision));
  return b;
}

export class AuthStore {
  private users = new Map<string, authpb.User>();
  private roles = new Map<string, authpb.Role>();
  private permissionCache = new Map<string, UserPermissions>();
  private enabledFlag = false;
  private rev = 0;

  /**
   * Reads the auth sub-databases as the store holds them now. A store without an auth revision gets
   * revision 1, as etcd's does when it first opens one: every member does it alike at open, outside
   * the log.
   */
  static open(backend: Backend): AuthStore {
    const store = new AuthStore();
    store.reload(backend);
    if (store.rev === 0) backend.writeSync((w) => store.commit(w));
    return store;
  }

  /** Reads everything again from the store (after a raft snapshot replaced it). */
  reload(backend: Backend): void {
    this.users.clear();
    this.roles.clear();
    this.permissionCache.clear();
    const snapshot = backend.snapshot();
    try {
      for (const { value } of snapshot.entries('authUsers')) {
        const user = authpb.User.decode(value);
        this.users.set(Buffer.from(user.name).toString(), user);
      }
      for (const { value } of snapshot.entries('authRoles')) {
        const role = authpb.Role.decode(value);
        this.roles.set(Buffer.from(role.name).toString(), role);
      }
      const enabled = snapshot.get('auth', enabledKey);
      this.enabledFlag = enabled !== undefined && enabled.length === 1 && enabled[0] === 1;
      const revision = snapshot.get('auth', revisionKey);
      this.rev = revision !== undefined && revision.length === 8 ? Number(revision.readBigUInt64BE()) : 0;
    } finally {
      snapshot.close();
    }
  }

  get enabled(): boolean {
    return this.enabledFlag;
  }

  get revision(): number {
    return this.rev;
  }

  user(name: string): authpb.User | undefined {
    return this.users.get(name);
  }

  role(name: string): authpb.Role | undefined {
    return this.roles.get(name);
  }

  /** names in byte order, as etcd lists its bucket */
  userNames(): string[] {
    return [...this.users.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  roleNames(): string[] {
    return [...this.roles.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  hasRootRole(name: string): boolean {
    return this.users.get(name)?.roles.includes(rootRole) ?? false;
  }

  /** The merged key permissions of a user (cached until the next auth change). */
  permissions(name: string): UserPermissions | undefined {
    const user = this.users.get(name);
    if (user === undefined) return undefined;
    let perms = this.permissionCache.get(name);
    if (perms === undefined) {
      perms = userPermissions(user.roles.map((r) => this.roles.get(r)));
      this.permissionCache.set(name, perms);
    }
    return perms;
  }

  /** Enabling needs a root user holding the root role; enabling twice changes nothing. */
  unsafeEnable(backend: BackendWriter): void {
    if (this.enabledFlag) return;
    const root = this.users.get(rootUser);
    if (root === undefined) throw etcdError('rootUserNotExist');
    if (!root.roles.includes(rootRole)) throw etcdError('rootRoleNotExist');
    backend.put('auth', enabledKey, Buffer.from([1]));
    this.enabledFlag = true;
  }

  unsafeDisable(backend: BackendWriter): boolean {
    if (!this.enabledFlag) return false;
    backend.put('auth', enabledKey, Buffer.from([0]));
    this.enabledFlag = false;
    this.commit(backend);
    return true;
  }

  unsafePutUser(backend: BackendWriter, user: authpb.User): void {
    const name = Buffer.from(user.name).toString();
    backend.put('authUsers', Buffer.from(user.name), Buffer.from(authpb.User.encode(user).finish()));
    this.users.set(name, user);
    this.commit(backend);
  }

  unsafeDeleteUser(backend: BackendWriter, name: string): void {
    backend.delete('authUsers', Buffer.from(name));
    this.users.delete(name);
    this.commit(backend);
  }

  unsafePutRole(backend: BackendWriter, role: authpb.Role): void {
    backend.put('authRoles', Buffer.from(role.name), Buffer.from(authpb.Role.encode(role).finish()));
    this.roles.set(Buffer.from(role.name).toString(), role);
    this.commit(backend);
  }

  /** Deletes a role and takes it away from every user that held it. */
  unsafeDeleteRole(backend: BackendWriter, name: string): void {
    backend.delete('authRoles', Buffer.from(name));
    this.roles.delete(name);
    for (const user of this.users.values()) {
      if (!user.roles.includes(name)) continue;
      user.roles = user.roles.filter((r) => r !== name);
      backend.put('authUsers', Buffer.from(user.name), Buffer.from(authpb.User.encode(user).finish()));
    }
    this.commit(backend);
  }

  /** Every change bumps the auth revision and drops the cached permissions. */
  private commit(backend: BackendWriter): void {
    this.rev += 1;
    backend.put('auth', revisionKey, revisionBytes(this.rev));
    this.permissionCache.clear();
  }
}
