// Who is calling, and may they: etcd's AuthInfoFromCtx (a "token" in the call's metadata, else the
// common name of a verified client certificate) and its permission checks. Every check passes while
// auth is disabled. A caller without credentials is refused with "user name is empty"; an unknown
// user or a key outside the user's permissions with "permission denied".
import type { Metadata } from '@grpc/grpc-js';
import { etcdError, etcdserverpb } from '../../api';
import { allows } from './permissions';
import type { AuthStore } from './store';
import type { SimpleTokens } from './token';

/** The parts of a grpc-js call the gate reads. */
export interface CallCredentials {
  metadata: Metadata;
  getAuthContext?(): { sslPeerCertificate?: { subject?: { CN?: string | string[] } } };
}

export interface AuthInfo {
  username: string;
  revision: number;
}

type Kind = 'read' | 'write';

export class AuthGate {
  constructor(
    readonly store: AuthStore,
    readonly tokens: SimpleTokens,
  ) {}

  /** The caller's identity, undefined when it sent none. @throws invalidAuthToken for an unknown or expired token */
  caller(call: CallCredentials): AuthInfo | undefined {
    const token = call.metadata.get('token')[0] ?? call.metadata.get('authorization')[0];
    if (token !== undefined) {
      const username = this.tokens.user(String(token));
      if (username === undefined) throw etcdError('invalidAuthToken');
      return { username, revision: this.store.revision };
    }
    const cn = call.getAuthContext?.().sslPeerCertificate?.subject?.CN;
    const name = Array.isArray(cn) ? cn[0] : cn;
    if (this.store.enabled && name !== undefined && name !== '') return { username: name, revision: this.store.revision };
    return undefined;
  }

  /** etcd's IsAdminPermitted: the caller holds the root role. */
  checkAdmin(call: CallCredentials): void {
    if (!this.store.enabled) return;
    const info = this.caller(call);
    if (info === undefined || info.username === '') throw etcdError('userEmpty');
    if (this.store.user(info.username) === undefined) throw etcdError('userNotFound');
    if (!this.store.hasRootRole(info.username)) throw etcdError('permissionDenied');
  }

  checkRange(call: CallCredentials, key: Uint8Array, rangeEnd?: Uint8Array): void {
    this.checkKeys(call, 'read', [[key, rangeEnd]]);
  }

  checkPut(call: CallCredentials, r: etcdserverpb.PutRequest): void {
    this.checkKeys(call, 'write', [[r.key]]);
    if (r.prevKv) this.checkKeys(call, 'read', [[r.key]]);
  }

  checkDeleteRange(call: CallCredentials, r: etcdserverpb.DeleteRangeRequest): void {
    this.checkKeys(call, 'write', [[r.key, r.rangeEnd]]);
    if (r.prevKv) this.checkKeys(call, 'read', [[r.key, r.rangeEnd]]);
  }

  /** Every compare must be readable, and every operation of both branches (nested txns too) allowed. */
  checkTxn(call: CallCredentials, txn: etcdserverpb.TxnRequest): void {
    for (const c of txn.compare) this.checkRange(call, c.key, c.rangeEnd);
    for (const op of [...txn.success, ...txn.failure]) {
      if (op.requestRange !== undefined) this.checkRange(call, op.requestRange.key, op.requestRange.rangeEnd);
      if (op.requestPut !== undefined) this.checkPut(call, op.requestPut);
      if (op.requestDeleteRange !== undefined) this.checkDeleteRange(call, op.requestDeleteRange);
      if (op.requestTxn !== undefined) this.checkTxn(call, op.requestTxn);
    }
  }

  /** A lease's keys: the caller must be allowed `kind` on each, unless it holds the root role. */
  checkLeaseKeys(call: CallCredentials, kind: Kind, keys: Uint8Array[]): void {
    if (!this.store.enabled) return;
    if (kind === 'write') {
      if (keys.length === 0) return;
      const info = this.caller(call);
      if (info !== undefined && this.store.hasRootRole(info.username)) return;
    }
    this.checkKeys(call, kind, keys.map((k) => [k]));
  }

  private checkKeys(call: CallCredentials, kind: Kind, ranges: [Uint8Array, Uint8Array?][]): void {
    if (!this.store.enabled) return;
    const info = this.caller(call);
    if (info === undefined || info.username === '') throw etcdError('userEmpty');
    if (info.revision < this.store.revision) throw etcdError('authOldRevision');
    const perms = this.store.permissions(info.username);
    if (perms === undefined) throw etcdError('permissionDenied');
    if (this.store.hasRootRole(info.username)) return;
    for (const [key, rangeEnd] of ranges) {
      if (!allows(kind === 'read' ? perms.read : perms.write, key, rangeEnd)) throw etcdError('permissionDenied');
    }
  }
}
