// What a command hands to the output format it was asked for (etcdctl's printer interface).
import type { etcdserverpb, mvccpb } from '../../api';

export interface EndpointHealth {
  readonly ep: string;
  readonly health: boolean;
  /** Go duration text, e.g. "4.121373ms". */
  readonly took: string;
  readonly error?: string;
}

export interface EndpointStatus {
  readonly ep: string;
  readonly resp: etcdserverpb.StatusResponse;
}

export interface EndpointHashKV {
  readonly ep: string;
  readonly resp: etcdserverpb.HashKVResponse;
}

export interface DbStatus {
  readonly hash: number;
  readonly revision: bigint;
  readonly totalKey: number;
  readonly totalSize: number;
}

export interface Output {
  out(data: string | Uint8Array): void;
  err(text: string): void;
}

export interface Printer {
  get(r: etcdserverpb.RangeResponse, opts?: { valueOnly?: boolean }): void;
  put(r: etcdserverpb.PutResponse): void;
  del(r: etcdserverpb.DeleteRangeResponse): void;
  txn(r: etcdserverpb.TxnResponse): void;
  watch(r: etcdserverpb.WatchResponse): void;
  grant(r: etcdserverpb.LeaseGrantResponse): void;
  revoke(id: bigint, r: etcdserverpb.LeaseRevokeResponse): void;
  keepAlive(r: etcdserverpb.LeaseKeepAliveResponse): void;
  timeToLive(r: etcdserverpb.LeaseTimeToLiveResponse, keys: boolean): void;
  leases(r: etcdserverpb.LeaseLeasesResponse): void;
  memberAdd(r: etcdserverpb.MemberAddResponse): void;
  memberRemove(id: bigint, r: etcdserverpb.MemberRemoveResponse): void;
  memberUpdate(id: bigint, r: etcdserverpb.MemberUpdateResponse): void;
  memberPromote(id: bigint, r: etcdserverpb.MemberPromoteResponse): void;
  memberList(r: etcdserverpb.MemberListResponse): void;
  endpointHealth(list: readonly EndpointHealth[]): void;
  endpointStatus(list: readonly EndpointStatus[]): void;
  endpointHashKV(list: readonly EndpointHashKV[]): void;
  moveLeader(leader: bigint, target: bigint, r: etcdserverpb.MoveLeaderResponse): void;
  alarm(r: etcdserverpb.AlarmResponse): void;
  dbStatus(s: DbStatus): void;
  roleAdd(role: string, r: etcdserverpb.AuthRoleAddResponse): void;
  roleGet(role: string, r: etcdserverpb.AuthRoleGetResponse): void;
  roleDelete(role: string, r: etcdserverpb.AuthRoleDeleteResponse): void;
  roleList(r: etcdserverpb.AuthRoleListResponse): void;
  roleGrantPermission(role: string, r: etcdserverpb.AuthRoleGrantPermissionResponse): void;
  roleRevokePermission(role: string, key: string, end: string, r: etcdserverpb.AuthRoleRevokePermissionResponse): void;
  userAdd(user: string, r: etcdserverpb.AuthUserAddResponse): void;
  userGet(user: string, r: etcdserverpb.AuthUserGetResponse): void;
  userList(r: etcdserverpb.AuthUserListResponse): void;
  userChangePassword(r: etcdserverpb.AuthUserChangePasswordResponse): void;
  userGrantRole(user: string, role: string, r: etcdserverpb.AuthUserGrantRoleResponse): void;
  userRevokeRole(user: string, role: string, r: etcdserverpb.AuthUserRevokeRoleResponse): void;
  userDelete(user: string, r: etcdserverpb.AuthUserDeleteResponse): void;
}

export type KeyValue = mvccpb.KeyValue;

/** etcdctl's rows for member list, shared by the simple and table printers. */
export function memberListRows(r: etcdserverpb.MemberListResponse): { header: string[]; rows: string[][] } {
  return {
    header: ['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'],
    rows: r.members.map((m) => [m.ID.toString(16), m.name === '' ? 'unstarted' : 'started', m.name, m.peerURLs.join(','), m.clientURLs.join(','), String(m.isLearner)]),
  };
}

export function endpointHealthRows(list: readonly EndpointHealth[]): { header: string[]; rows: string[][] } {
  return { header: ['endpoint', 'health', 'took', 'error'], rows: list.map((h) => [h.ep, String(h.health), h.took, h.error ?? '']) };
}

export function endpointStatusRows(list: readonly EndpointStatus[], humanize: (n: number) => string): { header: string[]; rows: string[][] } {
  return {
    header: ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'],
    rows: list.map(({ ep, resp }) => [
      ep,
      (resp.header?.memberId ?? 0n).toString(16),
      resp.version,
      humanize(Number(resp.dbSize)),
      String(resp.leader === (resp.header?.memberId ?? 0n)),
      String(resp.isLearner),
      String(resp.raftTerm),
      String(resp.raftIndex),
      String(resp.raftAppliedIndex),
      resp.errors.join(', '),
    ]),
  };
}

export function endpointHashKVRows(list: readonly EndpointHashKV[]): { header: string[]; rows: string[][] } {
  return { header: ['endpoint', 'hash'], rows: list.map(({ ep, resp }) => [ep, String(resp.hash)]) };
}

export function dbStatusRows(s: DbStatus, humanize: (n: number) => string): { header: string[]; rows: string[][] } {
  return { header: ['hash', 'revision', 'total keys', 'total size'], rows: [[s.hash.toString(16), String(s.revision), String(s.totalKey), humanize(s.totalSize)]] };
}

/** etcdctl's lease and member id formats. */
export function hex16(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16).padStart(16, '0');
}

/** Go's %16x: hex, padded on the left with spaces to 16. */
export function hexSpace16(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16).padStart(16, ' ');
}
