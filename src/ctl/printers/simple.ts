// etcdctl's default ("simple") output.
import { etcdserverpb, authpb, mvccpb, prefixEnd } from '../../api';
import { humanizeBytes } from '../humanize';
import {
  dbStatusRows, endpointHashKVRows, endpointStatusRows, hex16, hexSpace16, memberListRows,
  type DbStatus, type EndpointHashKV, type EndpointHealth, type EndpointStatus, type Output, type Printer,
} from './printer';

/** etcdctl's --hex form: every byte as \xNN. */
export function hexBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '\\x$1');
}

const NEWLINE = Buffer.from('\n');

export class SimplePrinter implements Printer {
  constructor(private readonly o: Output, private readonly isHex: boolean) {}

  private line(text: string): void {
    this.o.out(`${text}\n`);
  }

  private kv(kv: mvccpb.KeyValue, valueOnly = false): void {
    // Keys and values go out byte for byte, as Go prints a string made from a []byte.
    const bytes = (b: Uint8Array) => (this.isHex ? Buffer.from(hexBytes(b)) : Buffer.from(b));
    if (!valueOnly) this.o.out(Buffer.concat([bytes(kv.key), NEWLINE]));
    this.o.out(Buffer.concat([bytes(kv.value), NEWLINE]));
  }

  get(r: etcdserverpb.RangeResponse, opts: { valueOnly?: boolean } = {}): void {
    for (const kv of r.kvs) this.kv(kv, opts.valueOnly);
  }

  put(r: etcdserverpb.PutResponse): void {
    this.line('OK');
    if (r.prevKv) this.kv(r.prevKv);
  }

  del(r: etcdserverpb.DeleteRangeResponse): void {
    this.line(String(r.deleted));
    for (const kv of r.prevKvs) this.kv(kv);
  }

  txn(r: etcdserverpb.TxnResponse): void {
    this.line(r.succeeded ? 'SUCCESS' : 'FAILURE');
    for (const op of r.responses) {
      this.line('');
      if (op.responseDeleteRange) this.del(op.responseDeleteRange);
      else if (op.responsePut) this.put(op.responsePut);
      else if (op.responseRange) this.get(op.responseRange);
      else this.line(`unexpected response ${JSON.stringify(op)}`);
    }
  }

  watch(r: etcdserverpb.WatchResponse): void {
    for (const e of r.events) {
      this.line(e.type === mvccpb.Event_EventType.DELETE ? 'DELETE' : 'PUT');
      if (e.prevKv) this.kv(e.prevKv);
      if (e.kv) this.kv(e.kv);
    }
  }

  grant(r: etcdserverpb.LeaseGrantResponse): void {
    this.line(`lease ${hex16(r.ID)} granted with TTL(${r.TTL}s)`);
  }

  revoke(id: bigint): void {
    this.line(`lease ${hex16(id)} revoked`);
  }

  keepAlive(r: etcdserverpb.LeaseKeepAliveResponse): void {
    this.line(`lease ${hex16(r.ID)} keepalived with TTL(${r.TTL})`);
  }

  timeToLive(r: etcdserverpb.LeaseTimeToLiveResponse, keys: boolean): void {
    if (r.grantedTTL === 0n && r.TTL === -1n) {
      this.line(`lease ${hex16(r.ID)} already expired`);
      return;
    }
    let text = `lease ${hex16(r.ID)} granted with TTL(${r.grantedTTL}s), remaining(${r.TTL}s)`;
    if (keys) text += `, attached keys([${r.keys.map((k) => Buffer.from(k).toString()).join(' ')}])`;
    this.line(text);
  }

  leases(r: etcdserverpb.LeaseLeasesResponse): void {
    this.line(`found ${r.leases.length} leases`);
    for (const l of r.leases) this.line(hex16(l.ID));
  }

  memberAdd(r: etcdserverpb.MemberAddResponse): void {
    this.line(`Member ${hexSpace16(r.member?.ID ?? 0n)} added to cluster ${hexSpace16(r.header?.clusterId ?? 0n)}`);
  }

  memberRemove(id: bigint, r: etcdserverpb.MemberRemoveResponse): void {
    this.line(`Member ${hexSpace16(id)} removed from cluster ${hexSpace16(r.header?.clusterId ?? 0n)}`);
  }

  memberUpdate(id: bigint, r: etcdserverpb.MemberUpdateResponse): void {
    this.line(`Member ${hexSpace16(id)} updated in cluster ${hexSpace16(r.header?.clusterId ?? 0n)}`);
  }

  memberPromote(id: bigint, r: etcdserverpb.MemberPromoteResponse): void {
    this.line(`Member ${hexSpace16(id)} promoted in cluster ${hexSpace16(r.header?.clusterId ?? 0n)}`);
  }

  memberList(r: etcdserverpb.MemberListResponse): void {
    for (const row of memberListRows(r).rows) this.line(row.join(', '));
  }

  endpointHealth(list: readonly EndpointHealth[]): void {
    for (const h of list) {
      if (!h.error) this.o.err(`${h.ep} is healthy: successfully committed proposal: took = ${h.took}\n`);
      else this.o.err(`${h.ep} is unhealthy: failed to commit proposal: ${h.error}\n`);
    }
  }

  endpointStatus(list: readonly EndpointStatus[]): void {
    for (const row of endpointStatusRows(list, humanizeBytes).rows) this.line(row.join(', '));
  }

  endpointHashKV(list: readonly EndpointHashKV[]): void {
    for (const row of endpointHashKVRows(list).rows) this.line(row.join(', '));
  }

  dbStatus(s: DbStatus): void {
    for (const row of dbStatusRows(s, humanizeBytes).rows) this.line(row.join(', '));
  }

  moveLeader(leader: bigint, target: bigint): void {
    this.line(`Leadership transferred from ${leader.toString(16)} to ${target.toString(16)}`);
  }

  alarm(r: etcdserverpb.AlarmResponse): void {
    for (const a of r.alarms) this.line(`memberID:${a.memberID} alarm:${etcdserverpb.alarmTypeToJSON(a.alarm)} `);
  }

  roleAdd(role: string): void {
    this.line(`Role ${role} created`);
  }

  roleGet(role: string, r: etcdserverpb.AuthRoleGetResponse): void {
    this.line(`Role ${role}`);
    const show = (perm: authpb.Permission) => {
      const key = Buffer.from(perm.key).toString();
      if (perm.rangeEnd.length === 0) { this.line(`\t${key}`); return; }
      const end = Buffer.from(perm.rangeEnd).toString();
      let text = end !== '\x00' ? `\t[${key}, ${end})` : `\t[${key}, <open ended>`;
      if (Buffer.from(prefixEnd(Buffer.from(perm.key))).equals(Buffer.from(perm.rangeEnd))) text += ` (prefix ${key})`;
      this.line(text);
    };
    const { READ, WRITE, READWRITE } = authpb.Permission_Type;
    this.line('KV Read:');
    for (const p of r.perm) if (p.permType === READ || p.permType === READWRITE) show(p);
    this.line('KV Write:');
    for (const p of r.perm) if (p.permType === WRITE || p.permType === READWRITE) show(p);
  }

  roleDelete(role: string): void {
    this.line(`Role ${role} deleted`);
  }

  roleList(r: etcdserverpb.AuthRoleListResponse): void {
    for (const role of r.roles) this.line(role);
  }

  roleGrantPermission(role: string): void {
    this.line(`Role ${role} updated`);
  }

  roleRevokePermission(role: string, key: string, end: string): void {
    if (end.length === 0) this.line(`Permission of key ${key} is revoked from role ${role}`);
    else if (end !== '\x00') this.line(`Permission of range [${key}, ${end}) is revoked from role ${role}`);
    else this.line(`Permission of range [${key}, <open ended> is revoked from role ${role}`);
  }

  userAdd(user: string): void {
    this.line(`User ${user} created`);
  }

  userGet(user: string, r: etcdserverpb.AuthUserGetResponse): void {
    this.line(`User: ${user}`);
    this.line(`Roles:${r.roles.map((role) => ` ${role}`).join('')}`);
  }

  userList(r: etcdserverpb.AuthUserListResponse): void {
    for (const user of r.users) this.line(user);
  }

  userChangePassword(): void {
    this.line('Password updated');
  }

  userGrantRole(user: string, role: string): void {
    this.line(`Role ${role} is granted to user ${user}`);
  }

  userRevokeRole(user: string, role: string): void {
    this.line(`Role ${role} is revoked from user ${user}`);
  }

  userDelete(user: string): void {
    this.line(`User ${user} deleted`);
  }
}
