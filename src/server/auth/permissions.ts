// A user's key permissions as read and write interval sets (etcd's range permission cache): every
// role's permission is a point (no range end) or a half-open interval [key, rangeEnd), where a
// range end of "\0" means "to the end of the key space". A request is allowed when its key (or its
// whole range) lies inside the union of the user's intervals of that kind.
import { authpb } from '../../api';

/** [start, end); end undefined = unbounded. */
interface Interval {
  start: Buffer;
  end: Buffer | undefined;
}

export interface UserPermissions {
  read: Interval[];
  write: Interval[];
}

const { Permission_Type: PermType } = authpb;

function isOpenEnd(rangeEnd: Uint8Array): boolean {
  return rangeEnd.length === 1 && rangeEnd[0] === 0;
}

/** The interval a granted permission covers: a single key is [key, key+"\0"). */
function permissionInterval(perm: authpb.Permission): Interval {
  const start = Buffer.from(perm.key);
  if (perm.rangeEnd.length === 0) return { start, end: Buffer.concat([start, Buffer.from([0])]) };
  return { start, end: isOpenEnd(perm.rangeEnd) ? undefined : Buffer.from(perm.rangeEnd) };
}

/** Sorted, non-overlapping, non-touching intervals with the same union. */
function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => Buffer.compare(a.start, b.start));
  const merged: Interval[] = [];
  for (const ivl of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && (last.end === undefined || Buffer.compare(ivl.start, last.end) <= 0)) {
      if (last.end !== undefined && (ivl.end === undefined || Buffer.compare(ivl.end, last.end) > 0)) last.end = ivl.end;
      continue;
    }
    merged.push({ start: ivl.start, end: ivl.end });
  }
  return merged;
}

/** Merges the permissions of every role a user holds (roles that no longer exist are skipped). */
export function userPermissions(roles: (authpb.Role | undefined)[]): UserPermissions {
  const read: Interval[] = [];
  const write: Interval[] = [];
  for (const role of roles) {
    for (const perm of role?.keyPermission ?? []) {
      const ivl = permissionInterval(perm);
      if (perm.permType === PermType.READ || perm.permType === PermType.READWRITE) read.push(ivl);
      if (perm.permType === PermType.WRITE || perm.permType === PermType.READWRITE) write.push(ivl);
    }
  }
  return { read: merge(read), write: merge(write) };
}

/**
 * Whether merged intervals allow a request on key (no rangeEnd) or on [key, rangeEnd) ("\0" = to the
 * end of the key space).
 */
export function allows(intervals: Interval[], key: Uint8Array, rangeEnd?: Uint8Array): boolean {
  const start = Buffer.from(key);
  if (rangeEnd === undefined || rangeEnd.length === 0) {
    return intervals.some((i) => Buffer.compare(i.start, start) <= 0 && (i.end === undefined || Buffer.compare(start, i.end) < 0));
  }
  const end = isOpenEnd(rangeEnd) ? undefined : Buffer.from(rangeEnd);
  // merged intervals never touch, so a covered range lies inside exactly one of them
  return intervals.some(
    (i) => Buffer.compare(i.start, start) <= 0 && (i.end === undefined || (end !== undefined && Buffer.compare(end, i.end) <= 0)),
  );
}
