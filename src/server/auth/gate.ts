// Who is calling, and may they: etcd's AuthInfoFromCtx (a "token" in the call's metadata, else the
// common name of a verified client certificate), and the checks of checks.ts on a gRPC call.
import type { Metadata } from '@grpc/grpc-js';
import { etcdError, type etcdserverpb } from '../../api';
import * as checks from './checks';
import type { AuthInfo } from './checks';
import type { AuthStore } from './store';
import type { SimpleTokens } from './token';

/** The parts of a grpc-js call the gate reads. */
export interface CallCredentials {
  metadata: Metadata;
  getAuthContext?(): { sslPeerCertificate?: { subject?: { CN?: string | string[] } } };
}

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

  /**
   * Who a client's proposal is made for, as apply checks it: the caller while auth is enabled, else
   * no user at the current auth revision (refused as "user name is empty" if auth is enabled before
   * it applies, as etcd refuses it).
   */
  proposer(call: CallCredentials): AuthInfo {
    return this.enabledCaller(call) ?? { username: '', revision: this.store.revision };
  }

  /** The caller's identity while auth is enabled (a disabled store ignores even a bad token). */
  private enabledCaller(call: CallCredentials): AuthInfo | undefined {
    return this.store.enabled ? this.caller(call) : undefined;
  }

  checkAdmin(call: CallCredentials): void {
    checks.checkAdmin(this.store, this.enabledCaller(call));
  }

  checkRange(call: CallCredentials, key: Uint8Array, rangeEnd?: Uint8Array): void {
    checks.checkKeys(this.store, this.enabledCaller(call), 'read', [[key, rangeEnd]]);
  }

  checkPut(call: CallCredentials, r: etcdserverpb.PutRequest): void {
    checks.checkPut(this.store, this.enabledCaller(call), r);
  }

  checkDeleteRange(call: CallCredentials, r: etcdserverpb.DeleteRangeRequest): void {
    checks.checkDeleteRange(this.store, this.enabledCaller(call), r);
  }

  checkTxn(call: CallCredentials, txn: etcdserverpb.TxnRequest): void {
    checks.checkTxn(this.store, this.enabledCaller(call), txn);
  }

  checkLeaseKeys(call: CallCredentials, access: checks.Access, keys: Uint8Array[]): void {
    checks.checkLeaseKeys(this.store, this.enabledCaller(call), access, keys);
  }
}
