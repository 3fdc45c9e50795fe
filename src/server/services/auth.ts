// Auth service: users, roles, enabling auth and Authenticate. Every change is proposed and applied
// (src/server/auth/apply-auth.ts) after the caller's root role is checked, as etcd's auth applier
// does; passwords are hashed and token prefixes drawn here, before proposing, so apply stays cheap
// and deterministic. Reads answer from the applied auth store after a read barrier.
import { status as Status, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError, etcdError, etcdserverpb } from '../../api';
import type { ApplyValue } from '../apply';
import type { AuthGate, CallCredentials } from '../auth/gate';
import { PasswordError, hashPassword, verifyPassword } from '../auth/password';
import { newTokenPrefix } from '../auth/token';
import type { ServerMetrics } from '../metrics';
import type { Proposal } from '../proposals';
import { unary } from '../unary';

export interface AuthCore {
  readonly metrics: ServerMetrics;
  readonly gate: AuthGate;
  header(revision?: number): etcdserverpb.ResponseHeader;
  /** apply checks the proposal again as the call's caller */
  propose(proposal: Proposal, call?: CallCredentials): Promise<ApplyValue>;
  readBarrier(): Promise<void>;
}

/** How often Authenticate retries when the auth store changed between the password check and apply. */
const authenticateAttempts = 3;

function applied(value: ApplyValue): { token?: string } {
  if (value.kind !== 'auth') throw new Error(`etcdserver: applied ${value.kind} where an auth request was proposed`);
  return value.auth;
}

async function checkPassword(core: AuthCore, name: string, password: string): Promise<void> {
  const { store } = core.gate;
  if (!store.enabled) throw etcdError('authNotEnabled');
  const user = store.user(name);
  if (user === undefined || user.options?.noPassword) throw etcdError('authFailed');
  let ok: boolean;
  try {
    ok = await verifyPassword(password, user.password);
  } catch (err) {
    if (err instanceof PasswordError) throw new EtcdError(Status.FAILED_PRECONDITION, err.message);
    throw err;
  }
  if (!ok) throw etcdError('authFailed');
}

export function authService(core: AuthCore): UntypedServiceImplementation {
  const { gate } = core;
  const handle = <Req, Res>(method: string, fn: (req: Req, call: CallCredentials) => Promise<Res>) =>
    unary<Req, Res>(core.metrics, 'etcdserverpb.Auth', method, (req: Req, call: ServerUnaryCall<Req, Res>) => fn(req, call));
  /** An admin-only change: checked, proposed, answered with a header. */
  const change = <Req>(method: string, toProposal: (req: Req) => Promise<Proposal> | Proposal) =>
    handle(method, async (req: Req, call) => {
      gate.checkAdmin(call);
      applied(await core.propose(await toProposal(req), call));
      return { header: core.header() };
    });
  const impl: etcdserverpb.AuthServer = {
    authStatus: handle('AuthStatus', async () => {
      await core.readBarrier();
      return { header: core.header(), enabled: gate.store.enabled, authRevision: BigInt(gate.store.revision) };
    }),
    authEnable: change('AuthEnable', () => ({ authEnable: {} })),
    authDisable: change('AuthDisable', () => ({ authDisable: {} })),
    authenticate: handle('Authenticate', async (req: etcdserverpb.AuthenticateRequest) => {
      await core.readBarrier();
      for (let attempt = 1; ; attempt++) {
        const revision = gate.store.revision;
        await checkPassword(core, req.name, req.password);
        const { token } = applied(await core.propose({ authenticate: { name: req.name, password: '', simpleToken: newTokenPrefix() } }));
        // the password was checked against the store as it was: if it changed meanwhile, check again
        if (revision === gate.store.revision || attempt === authenticateAttempts) return { header: core.header(), token: token ?? '' };
      }
    }),
    userAdd: change('UserAdd', async (req: etcdserverpb.AuthUserAddRequest) => {
      const noPassword = req.options?.noPassword ?? false;
      const hashedPassword = noPassword || req.name.length === 0 ? '' : (await hashPassword(req.password)).toString();
      return { authUserAdd: { name: req.name, password: '', options: req.options, hashedPassword } };
    }),
    userDelete: change('UserDelete', (req: etcdserverpb.AuthUserDeleteRequest) => ({ authUserDelete: req })),
    userChangePassword: change('UserChangePassword', async (req: etcdserverpb.AuthUserChangePasswordRequest) => ({
      authUserChangePassword: { name: req.name, password: '', hashedPassword: (await hashPassword(req.password)).toString() },
    })),
    userGrantRole: change('UserGrantRole', (req: etcdserverpb.AuthUserGrantRoleRequest) => ({ authUserGrantRole: req })),
    userRevokeRole: change('UserRevokeRole', (req: etcdserverpb.AuthUserRevokeRoleRequest) => ({ authUserRevokeRole: req })),
    roleAdd: change('RoleAdd', (req: etcdserverpb.AuthRoleAddRequest) => ({ authRoleAdd: req })),
    roleDelete: change('RoleDelete', (req: etcdserverpb.AuthRoleDeleteRequest) => ({ authRoleDelete: req })),
    roleGrantPermission: change('RoleGrantPermission', (req: etcdserverpb.AuthRoleGrantPermissionRequest) => ({ authRoleGrantPermission: req })),
    roleRevokePermission: change('RoleRevokePermission', (req: etcdserverpb.AuthRoleRevokePermissionRequest) => ({ authRoleRevokePermission: req })),
    userList: handle('UserList', async (_req, call) => {
      gate.checkAdmin(call);
      await core.readBarrier();
      return { header: core.header(), users: gate.store.userNames() };
    }),
    roleList: handle('RoleList', async (_req, call) => {
      gate.checkAdmin(call);
      await core.readBarrier();
      return { header: core.header(), roles: gate.store.roleNames() };
    }),
    // a user may read itself, and a role it holds, without the root role (etcd's auth applier)
    userGet: handle('UserGet', async (req: etcdserverpb.AuthUserGetRequest, call) => {
      if (gate.caller(call)?.username !== req.name) gate.checkAdmin(call);
      await core.readBarrier();
      const user = gate.store.user(req.name);
      if (user === undefined) throw etcdError('userNotFound');
      return { header: core.header(), roles: [...user.roles] };
    }),
    roleGet: handle('RoleGet', async (req: etcdserverpb.AuthRoleGetRequest, call) => {
      const caller = gate.caller(call);
      if (caller === undefined || !(gate.store.user(caller.username)?.roles.includes(req.role) ?? false)) gate.checkAdmin(call);
      await core.readBarrier();
      const role = gate.store.role(req.role);
      if (role === undefined) throw etcdError('roleNotFound');
      return { header: core.header(), perm: role.keyPermission.map((p) => ({ ...p })) };
    }),
  };
  return impl;
}
