// Users, roles and authentication inside the server core (etcd's auth package).
export { AuthStore, rootRole, rootUser } from './store';
export { AuthGate } from './gate';
export type { CallCredentials } from './gate';
export type { AuthInfo } from './checks';
export { SimpleTokens, simpleTokenTtlMs } from './token';
export { guardServices } from './guard';
export type { GuardOptions } from './guard';
export { applyAuthRequest, authorizeEntry, isAuthRequest } from './apply-auth';
export type { AuthApplied, AuthApplyState } from './apply-auth';
export { userPermissions, allows } from './permissions';
export type { UserPermissions } from './permissions';
export { hashPassword, verifyPassword, PasswordError } from './password';
