// etcdctl's `-w json`: Go's JSON of etcd's structs (see go-json.ts), one document per line.
import type { etcdserverpb } from '../../api';
import { encodeMessage, goString, headerFields } from '../go-json';
import type { DbStatus, EndpointHashKV, EndpointHealth, EndpointStatus, Output, Printer } from './printer';

type Message = Record<string, unknown>;

export class JsonPrinter implements Printer {
  constructor(private readonly o: Output) {}

  private rpc(message: object, type: string): void {
    this.o.out(`${encodeMessage(message as Message, type)}\n`);
  }

  /** clientv3's lease structs embed the header, so its fields sit at the top level. */
  private flat(header: Message | undefined, fields: string[]): void {
    this.o.out(`{${[...headerFields(header), ...fields].join(',')}}\n`);
  }

  get(r: etcdserverpb.RangeResponse): void { this.rpc(r, 'RangeResponse'); }
  put(r: etcdserverpb.PutResponse): void { this.rpc(r, 'PutResponse'); }
  del(r: etcdserverpb.DeleteRangeResponse): void { this.rpc(r, 'DeleteRangeResponse'); }
  txn(r: etcdserverpb.TxnResponse): void { this.rpc(r, 'TxnResponse'); }

  watch(r: etcdserverpb.WatchResponse): void {
    // clientv3.WatchResponse has no json tags: Go field names, no omitempty.
    const header = encodeMessage((r.header ?? {}) as Message, 'ResponseHeader');
    const events = r.events.length ? `[${r.events.map((e) => encodeMessage(e as unknown as Message, 'Event')).join(',')}]` : 'null';
    this.o.out(`{"Header":${header},"Events":${events},"CompactRevision":${r.compactRevision},"Canceled":${r.canceled},"Created":${r.created}}\n`);
  }

  grant(r: etcdserverpb.LeaseGrantResponse): void {
    this.flat(r.header as Message | undefined, [`"ID":${r.ID}`, `"TTL":${r.TTL}`, `"Error":${goString(r.error)}`]);
  }

  revoke(_id: bigint, r: etcdserverpb.LeaseRevokeResponse): void { this.rpc(r, 'LeaseRevokeResponse'); }

  keepAlive(r: etcdserverpb.LeaseKeepAliveResponse): void {
    this.flat(r.header as Message | undefined, [`"ID":${r.ID}`, `"TTL":${r.TTL}`]);
  }

  timeToLive(r: etcdserverpb.LeaseTimeToLiveResponse): void {
    const keys = r.keys.length ? `[${r.keys.map((k) => goString(Buffer.from(k).toString('base64'))).join(',')}]` : 'null';
    this.flat(r.header as Message | undefined, [`"id":${r.ID}`, `"ttl":${r.TTL}`, `"granted-ttl":${r.grantedTTL}`, `"keys":${keys}`]);
  }

  leases(r: etcdserverpb.LeaseLeasesResponse): void {
    this.flat(r.header as Message | undefined, [`"leases":[${r.leases.map((l) => `{"id":${l.ID}}`).join(',')}]`]);
  }

  memberAdd(r: etcdserverpb.MemberAddResponse): void { this.rpc(r, 'MemberAddResponse'); }
  memberRemove(_id: bigint, r: etcdserverpb.MemberRemoveResponse): void { this.rpc(r, 'MemberRemoveResponse'); }
  memberUpdate(_id: bigint, r: etcdserverpb.MemberUpdateResponse): void { this.rpc(r, 'MemberUpdateResponse'); }
  memberPromote(_id: bigint, r: etcdserverpb.MemberPromoteResponse): void { this.rpc(r, 'MemberPromoteResponse'); }
  memberList(r: etcdserverpb.MemberListResponse): void { this.rpc(r, 'MemberListResponse'); }

  endpointHealth(list: readonly EndpointHealth[]): void {
    const items = list.map((h) => `{"endpoint":${goString(h.ep)},"health":${h.health},"took":${goString(h.took)}${h.error ? `,"error":${goString(h.error)}` : ''}}`);
    this.o.out(`[${items.join(',')}]\n`);
  }

  endpointStatus(list: readonly EndpointStatus[]): void {
    this.o.out(`[${list.map((s) => `{"Endpoint":${goString(s.ep)},"Status":${encodeMessage(s.resp as unknown as Message, 'StatusResponse')}}`).join(',')}]\n`);
  }

  endpointHashKV(list: readonly EndpointHashKV[]): void {
    // hash_revision came with etcd 3.5; etcdctl 3.4's struct has no such field, so it never prints it.
    const as34 = (resp: EndpointHashKV['resp']) => ({ ...resp, hashRevision: 0n }) as unknown as Message;
    this.o.out(`[${list.map((s) => `{"Endpoint":${goString(s.ep)},"HashKV":${encodeMessage(as34(s.resp), 'HashKVResponse')}}`).join(',')}]\n`);
  }

  dbStatus(s: DbStatus): void {
    this.o.out(`{"hash":${s.hash},"revision":${s.revision},"totalKey":${s.totalKey},"totalSize":${s.totalSize}}\n`);
  }

  moveLeader(_l: bigint, _t: bigint, r: etcdserverpb.MoveLeaderResponse): void { this.rpc(r, 'MoveLeaderResponse'); }
  alarm(r: etcdserverpb.AlarmResponse): void { this.rpc(r, 'AlarmResponse'); }
  roleAdd(_role: string, r: etcdserverpb.AuthRoleAddResponse): void { this.rpc(r, 'AuthRoleAddResponse'); }
  roleGet(_role: string, r: etcdserverpb.AuthRoleGetResponse): void { this.rpc(r, 'AuthRoleGetResponse'); }
  roleDelete(_role: string, r: etcdserverpb.AuthRoleDeleteResponse): void { this.rpc(r, 'AuthRoleDeleteResponse'); }
  roleList(r: etcdserverpb.AuthRoleListResponse): void { this.rpc(r, 'AuthRoleListResponse'); }
  roleGrantPermission(_role: string, r: etcdserverpb.AuthRoleGrantPermissionResponse): void { this.rpc(r, 'AuthRoleGrantPermissionResponse'); }
  roleRevokePermission(_role: string, _k: string, _e: string, r: etcdserverpb.AuthRoleRevokePermissionResponse): void { this.rpc(r, 'AuthRoleRevokePermissionResponse'); }
  userAdd(_user: string, r: etcdserverpb.AuthUserAddResponse): void { this.rpc(r, 'AuthUserAddResponse'); }
  userGet(_user: string, r: etcdserverpb.AuthUserGetResponse): void { this.rpc(r, 'AuthUserGetResponse'); }
  userList(r: etcdserverpb.AuthUserListResponse): void { this.rpc(r, 'AuthUserListResponse'); }
  userChangePassword(r: etcdserverpb.AuthUserChangePasswordResponse): void { this.rpc(r, 'AuthUserChangePasswordResponse'); }
  userGrantRole(_u: string, _r: string, r: etcdserverpb.AuthUserGrantRoleResponse): void { this.rpc(r, 'AuthUserGrantRoleResponse'); }
  userRevokeRole(_u: string, _r: string, r: etcdserverpb.AuthUserRevokeRoleResponse): void { this.rpc(r, 'AuthUserRevokeRoleResponse'); }
  userDelete(_user: string, r: etcdserverpb.AuthUserDeleteResponse): void { this.rpc(r, 'AuthUserDeleteResponse'); }
}
