// Auth service. Users, roles and permissions are not stored yet, and authentication can never be
// enabled (there is no root user), so: the status says disabled; reads answer from the empty user
// and role sets (empty lists, "not found"); enabling fails as etcd fails without a root user;
// anything that would create or change users or roles is refused with an error that says why.
import { status as Status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError, etcdError, etcdserverpb } from '../../api';
import type { ServerMetrics } from '../metrics';
import { unary } from '../unary';

export interface AuthCore {
  readonly metrics: ServerMetrics;
  header(revision?: number): etcdserverpb.ResponseHeader;
}

function notStored(): never {
  throw new EtcdError(Status.UNIMPLEMENTED, 'etcdserver: users and roles are not supported by cairn yet');
}

export function authService(core: AuthCore): UntypedServiceImplementation {
  const handle = <Req, Res>(method: string, fn: (req: Req) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.Auth', method, fn);
  const impl: etcdserverpb.AuthServer = {
    authStatus: handle('AuthStatus', async () => ({ header: core.header(), enabled: false, authRevision: 0n })),
    authEnable: handle('AuthEnable', async () => {
      throw etcdError('rootUserNotExist');
    }),
    authDisable: handle('AuthDisable', async () => ({ header: core.header() })),
    authenticate: handle('Authenticate', async () => {
      throw etcdError('authNotEnabled');
    }),
    userList: handle('UserList', async () => ({ header: core.header(), users: [] })),
    roleList: handle('RoleList', async () => ({ header: core.header(), roles: [] })),
    userGet: handle('UserGet', async () => {
      throw etcdError('userNotFound');
    }),
    roleGet: handle('RoleGet', async () => {
      throw etcdError('roleNotFound');
    }),
    userDelete: handle('UserDelete', async () => {
      throw etcdError('userNotFound');
    }),
    roleDelete: handle('RoleDelete', async () => {
      throw etcdError('roleNotFound');
    }),
    userChangePassword: handle('UserChangePassword', async () => {
      throw etcdError('userNotFound');
    }),
    userGrantRole: handle('UserGrantRole', async () => {
      throw etcdError('userNotFound');
    }),
    userRevokeRole: handle('UserRevokeRole', async () => {
      throw etcdError('userNotFound');
    }),
    roleGrantPermission: handle('RoleGrantPermission', async () => {
      throw etcdError('roleNotFound');
    }),
    roleRevokePermission: handle('RoleRevokePermission', async () => {
      throw etcdError('roleNotFound');
    }),
    userAdd: handle('UserAdd', async () => notStored()),
    roleAdd: handle('RoleAdd', async () => notStored()),
  };
  return impl;
}
