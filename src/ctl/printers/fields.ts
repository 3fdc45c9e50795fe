// etcdctl's `-w fields`: one `"Name" : value` line per field, for scripts that grep.
import { authpb, etcdserverpb, mvccpb } from '../../api';
import { goString } from '../go-json';
import type { Output, Printer } from './printer';
import { unsupportedPrinter } from './unsupported';

/** Go's %q of a string made from bytes. */
function q(bytes: Uint8Array | string): string {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString();
  return JSON.stringify(text).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

export function fieldsPrinter(o: Output): Printer {
  const line = (text: string) => o.out(`${text}\n`);
  const hdr = (h: etcdserverpb.ResponseHeader | undefined) => {
    line(`"ClusterID" : ${h?.clusterId ?? 0n}`);
    line(`"MemberID" : ${h?.memberId ?? 0n}`);
    line(`"Revision" : ${h?.revision ?? 0n}`);
    line(`"RaftTerm" : ${h?.raftTerm ?? 0n}`);
  };
  const kv = (pfx: string, k: mvccpb.KeyValue) => {
    line(`"${pfx}Key" : ${q(k.key)}`);
    line(`"${pfx}CreateRevision" : ${k.createRevision}`);
    line(`"${pfx}ModRevision" : ${k.modRevision}`);
    line(`"${pfx}Version" : ${k.version}`);
    line(`"${pfx}Value" : ${q(k.value)}`);
    line(`"${pfx}Lease" : ${k.lease}`);
  };
  const get = (r: etcdserverpb.RangeResponse) => {
    hdr(r.header);
    for (const k of r.kvs) kv('', k);
    line(`"More" : ${r.more}`);
    line(`"Count" : ${r.count}`);
  };
  const put = (r: etcdserverpb.PutResponse) => {
    hdr(r.header);
    if (r.prevKv) kv('Prev', r.prevKv);
  };
  const del = (r: etcdserverpb.DeleteRangeResponse) => {
    hdr(r.header);
    line(`"Deleted" : ${r.deleted}`);
    for (const k of r.prevKvs) kv('Prev', k);
  };
  const headerOnly = (r: { header?: etcdserverpb.ResponseHeader }) => hdr(r.header);
  return {
    ...unsupportedPrinter('fields'),
    get, put, del,
    txn: (r) => {
      hdr(r.header);
      line(`"Succeeded" : ${r.succeeded}`);
      for (const op of r.responses) {
        if (op.responseDeleteRange) del(op.responseDeleteRange);
        else if (op.responsePut) put(op.responsePut);
        else if (op.responseRange) get(op.responseRange);
      }
    },
    watch: (r) => {
      hdr(r.header);
      for (const e of r.events) {
        line(`"Type" : ${e.type === mvccpb.Event_EventType.DELETE ? 'DELETE' : 'PUT'}`);
        if (e.prevKv) kv('Prev', e.prevKv);
        if (e.kv) kv('', e.kv);
      }
    },
    grant: (r) => { hdr(r.header); line(`"ID" : ${r.ID}`); line(`"TTL" : ${r.TTL}`); },
    revoke: (_id, r) => hdr(r.header),
    keepAlive: (r) => { hdr(r.header); line(`"ID" : ${r.ID}`); line(`"TTL" : ${r.TTL}`); },
    timeToLive: (r) => {
      hdr(r.header);
      line(`"ID" : ${r.ID}`);
      line(`"TTL" : ${r.TTL}`);
      line(`"GrantedTTL" : ${r.grantedTTL}`);
      for (const k of r.keys) line(`"Key" : ${q(k)}`);
    },
    leases: (r) => { hdr(r.header); for (const l of r.leases) line(`"ID" : ${l.ID}`); },
    memberList: (r) => {
      hdr(r.header);
      for (const m of r.members) {
        line(`"ID" : ${m.ID}`);
        line(`"Name" : ${q(m.name)}`);
        for (const u of m.peerURLs) line(`"PeerURL" : ${q(u)}`);
        for (const u of m.clientURLs) line(`"ClientURL" : ${q(u)}`);
        line(`"IsLearner" : ${m.isLearner}`);
        line('');
      }
    },
    endpointHealth: (list) => {
      for (const h of list) {
        line(`"Endpoint" : ${q(h.ep)}`);
        line(`"Health" : ${h.health}`);
        line(`"Took" : ${h.took}`);
        line(`"Error" : ${h.error ?? ''}`);
        line('');
      }
    },
    endpointStatus: (list) => {
      for (const { ep, resp } of list) {
        hdr(resp.header);
        line(`"Version" : ${q(resp.version)}`);
        line(`"DBSize" : ${resp.dbSize}`);
        line(`"Leader" : ${resp.leader}`);
        line(`"IsLearner" : ${resp.isLearner}`);
        line(`"RaftIndex" : ${resp.raftIndex}`);
        line(`"RaftTerm" : ${resp.raftTerm}`);
        line(`"RaftAppliedIndex" : ${resp.raftAppliedIndex}`);
        line(`"Errors" : [${resp.errors.join(' ')}]`);
        line(`"Endpoint" : ${q(ep)}`);
        line('');
      }
    },
    endpointHashKV: (list) => {
      for (const { ep, resp } of list) {
        hdr(resp.header);
        line(`"Endpoint" : ${q(ep)}`);
        line(`"Hash" : ${resp.hash}`);
        line('');
      }
    },
    alarm: (r) => {
      hdr(r.header);
      for (const a of r.alarms) {
        line(`"MemberID" : ${a.memberID}`);
        line(`"AlarmType" : ${etcdserverpb.alarmTypeToJSON(a.alarm)}`);
        line('');
      }
    },
    dbStatus: (s) => {
      line(`"Hash" : ${s.hash}`);
      line(`"Revision" : ${s.revision}`);
      line(`"Keys" : ${s.totalKey}`);
      line(`"Size" : ${s.totalSize}`);
    },
    roleAdd: (_role, r) => headerOnly(r),
    roleGet: (_role, r) => {
      hdr(r.header);
      for (const p of r.perm) {
        line(`"PermType" :  ${authpb.permission_TypeToJSON(p.permType)}`);
        line(`"Key" : ${q(p.key)}`);
        line(`"RangeEnd" : ${q(p.rangeEnd)}`);
      }
    },
    roleDelete: (_role, r) => headerOnly(r),
    roleList: (r) => { hdr(r.header); line(`"Roles" :${r.roles.map((x) => ` ${goString(x)}`).join('')}`); },
    roleGrantPermission: (_role, r) => headerOnly(r),
    roleRevokePermission: (_role, _k, _e, r) => headerOnly(r),
    userAdd: (_user, r) => headerOnly(r),
    userChangePassword: (r) => headerOnly(r),
    userGrantRole: (_u, _role, r) => headerOnly(r),
    userRevokeRole: (_u, _role, r) => headerOnly(r),
    userDelete: (_user, r) => headerOnly(r),
  };
}
