// A format that supports only some results: the rest end the command as etcdctl does.
import { CtlError, ExitCode } from '../exit';
import type { Printer } from './printer';

export function unsupportedPrinter(format: string): Printer {
  const refuse = (): never => {
    throw new CtlError(ExitCode.badFeature, `${format} not supported as output format`);
  };
  return {
    get: refuse, put: refuse, del: refuse, txn: refuse, watch: refuse,
    grant: refuse, revoke: refuse, keepAlive: refuse, timeToLive: refuse, leases: refuse,
    memberAdd: refuse, memberRemove: refuse, memberUpdate: refuse, memberPromote: refuse, memberList: refuse,
    endpointHealth: refuse, endpointStatus: refuse, endpointHashKV: refuse, moveLeader: refuse, alarm: refuse, dbStatus: refuse,
    roleAdd: refuse, roleGet: refuse, roleDelete: refuse, roleList: refuse, roleGrantPermission: refuse, roleRevokePermission: refuse,
    userAdd: refuse, userGet: refuse, userList: refuse, userChangePassword: refuse, userGrantRole: refuse, userRevokeRole: refuse, userDelete: refuse,
  };
}
