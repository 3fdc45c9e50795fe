// etcdctl's `-w protobuf`: the response message's wire bytes, for the RPC results only.
import { etcdserverpb } from '../../api';
import type { Output, Printer } from './printer';
import { unsupportedPrinter } from './unsupported';

interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

export function protobufPrinter(o: Output): Printer {
  const raw = <T>(codec: Encoder<T>) => (message: T) => o.out(codec.encode(message).finish());
  const pb = etcdserverpb;
  return {
    ...unsupportedPrinter('protobuf'),
    get: raw(pb.RangeResponse), put: raw(pb.PutResponse), del: raw(pb.DeleteRangeResponse), txn: raw(pb.TxnResponse),
    watch: raw(pb.WatchResponse), revoke: (_id, r) => raw(pb.LeaseRevokeResponse)(r),
    memberAdd: raw(pb.MemberAddResponse), memberRemove: (_id, r) => raw(pb.MemberRemoveResponse)(r),
    memberUpdate: (_id, r) => raw(pb.MemberUpdateResponse)(r), memberPromote: (_id, r) => raw(pb.MemberPromoteResponse)(r),
    memberList: raw(pb.MemberListResponse), alarm: raw(pb.AlarmResponse),
    moveLeader: (_l, _t, r) => raw(pb.MoveLeaderResponse)(r),
    roleAdd: (_x, r) => raw(pb.AuthRoleAddResponse)(r), roleGet: (_x, r) => raw(pb.AuthRoleGetResponse)(r),
    roleDelete: (_x, r) => raw(pb.AuthRoleDeleteResponse)(r), roleList: raw(pb.AuthRoleListResponse),
    roleGrantPermission: (_x, r) => raw(pb.AuthRoleGrantPermissionResponse)(r),
    roleRevokePermission: (_x, _k, _e, r) => raw(pb.AuthRoleRevokePermissionResponse)(r),
    userAdd: (_x, r) => raw(pb.AuthUserAddResponse)(r), userGet: (_x, r) => raw(pb.AuthUserGetResponse)(r),
    userList: raw(pb.AuthUserListResponse), userChangePassword: raw(pb.AuthUserChangePasswordResponse),
    userGrantRole: (_u, _r, r) => raw(pb.AuthUserGrantRoleResponse)(r), userRevokeRole: (_u, _r, r) => raw(pb.AuthUserRevokeRoleResponse)(r),
    userDelete: (_x, r) => raw(pb.AuthUserDeleteResponse)(r),
  };
}
