// etcd's permission checks, as pure functions of the auth store and who asks: the gate runs them on a
// request before it is proposed, and apply runs them again on the entry, with the user and auth
// revision the proposer wrote into its header, so a permission revoked in between is honoured (etcd's
// auth applier). Every check passes while auth is disabled.
import { etcdError, type etcdserverpb } from '../../api';
import { allows } from './permissions';
import type { AuthStore } from './store';

export interface AuthInfo {
  username: string;
  /** the auth store's revision when the caller was identified */
  revision: number;
}

export type Access = 'read' | 'write';

/** etcd's IsAdminPermitted: the caller holds the root role. */
export function checkAdmin(store: AuthStore, info: AuthInfo | undefined): void {
  if (!store.enabled) return;
  if (info === undefined || info.username === '') throw etcdError('userEmpty');
  if (store.user(info.username) === undefined) throw etcdError('userNotFound');
  if (!store.hasRootRole(info.username)) throw etcdError('permissionDenied');
}

/** etcd's isOpPermitted over several ranges: a caller identified before the last auth change must ask again. */
export function checkKeys(store: AuthStore, info: AuthInfo | undefined, access: Access, ranges: [Uint8Array, Uint8Array?][]): void {
  if (!store.enabled) return;
  if (info === undefined || info.username === '') throw etcdError('userEmpty');
  if (info.revision < store.revision) throw etcdError('authOldRevision');
  const perms = store.permissions(info.username);
  if (perms === undefined) throw etcdError('permissionDenied');
  if (store.hasRootRole(info.username)) return;
  for (const [key, rangeEnd] of ranges) {
    if (!allows(access === 'read' ? perms.read : perms.write, key, rangeEnd)) throw etcdError('permissionDenied');
  }
}

export function checkPut(store: AuthStore, info: AuthInfo | undefined, r: etcdserverpb.PutRequest): void {
  checkKeys(store, info, 'write', [[r.key]]);
  if (r.prevKv) checkKeys(store, info, 'read', [[r.key]]);
}

export function checkDeleteRange(store: AuthStore, info: AuthInfo | undefined, r: etcdserverpb.DeleteRangeRequest): void {
  checkKeys(store, info, 'write', [[r.key, r.rangeEnd]]);
  if (r.prevKv) checkKeys(store, info, 'read', [[r.key, r.rangeEnd]]);
}

/** Every compare must be readable, and every operation of both branches (nested txns too) allowed. */
export function checkTxn(store: AuthStore, info: AuthInfo | undefined, txn: etcdserverpb.TxnRequest): void {
  for (const c of txn.compare) checkKeys(store, info, 'read', [[c.key, c.rangeEnd]]);
  for (const op of [...txn.success, ...txn.failure]) {
    if (op.requestRange !== undefined) checkKeys(store, info, 'read', [[op.requestRange.key, op.requestRange.rangeEnd]]);
    if (op.requestPut !== undefined) checkPut(store, info, op.requestPut);
    if (op.requestDeleteRange !== undefined) checkDeleteRange(store, info, op.requestDeleteRange);
    if (op.requestTxn !== undefined) checkTxn(store, info, op.requestTxn);
  }
}

/** A lease's keys: the caller must be allowed `access` on each, unless (for a write) it holds the root role. */
export function checkLeaseKeys(store: AuthStore, info: AuthInfo | undefined, access: Access, keys: Uint8Array[]): void {
  if (!store.enabled) return;
  if (access === 'write') {
    if (keys.length === 0) return;
    if (info !== undefined && store.hasRootRole(info.username)) return;
  }
  checkKeys(store, info, access, keys.map((k) => [k]));
}
