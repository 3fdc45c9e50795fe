// Applying a committed raft conf change to the member list, as etcd's applyConfChange: an added
// member (voter or learner) arrives as JSON in the change's context, a promotion is an AddNode of a
// known learner, an update replaces the URLs (and the name when given), a removal deletes the record.
import { ConfChange, ConfChangeType } from '../raft';
import { decodeMember, encodeMember } from './member-store';
import type { Member } from './membership';

export interface MemberChange {
  kind: 'add' | 'promote' | 'update' | 'remove';
  member: Member;
}

/** What the change does to `members`; undefined for a change that no longer applies (a member already gone). */
export function memberChange(change: ConfChange, members: readonly Member[]): MemberChange | undefined {
  const known = members.find((m) => m.id === change.nodeId);
  switch (change.type) {
    case ConfChangeType.ConfChangeAddNode:
      if (known?.isLearner) return { kind: 'promote', member: { ...known, isLearner: false } };
      return { kind: 'add', member: { ...decodeMember(Buffer.from(change.context)), isLearner: false } };
    case ConfChangeType.ConfChangeAddLearnerNode:
      return { kind: 'add', member: { ...decodeMember(Buffer.from(change.context)), isLearner: true } };
    case ConfChangeType.ConfChangeUpdateNode: {
      // MemberUpdate changes the peer URLs; a member's publish at start also carries its name and client URLs.
      const updated = decodeMember(Buffer.from(change.context));
      return known && { kind: 'update', member: { ...known, peerUrls: updated.peerUrls, name: updated.name || known.name, clientUrls: updated.clientUrls } };
    }
    case ConfChangeType.ConfChangeRemoveNode:
      return known && { kind: 'remove', member: known };
  }
}

/** The member list after a change. */
export function applyMemberChange(members: readonly Member[], change: MemberChange): Member[] {
  const others = members.filter((m) => m.id !== change.member.id);
  return change.kind === 'remove' ? others : [...others, change.member].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The context a conf change carries: the member as etcd's JSON. */
export function confChangeContext(member: Member): Uint8Array {
  return encodeMember(member);
}
