// Builds the bytes of a branch node: page header, element array, then the keys in element order.
import { BRANCH_ELEMENT_SIZE, BRANCH_PAGE, PAGE_HEADER_SIZE, writePageHeader } from './layout';

export interface BranchElement {
  key: Buffer;
  pgid: number;
}

export const branchElementSize = (e: BranchElement): number => BRANCH_ELEMENT_SIZE + e.key.length;

export interface BranchNode {
  pgid: number;
  overflow: number;
  elems: BranchElement[];
}

/** Writes a branch node at the start of `out` (zeroed, large enough). */
export function encodeBranchNode(out: Buffer, { pgid, overflow, elems }: BranchNode): void {
  writePageHeader(out, { id: pgid, flags: BRANCH_PAGE, count: elems.length, overflow });
  let data = PAGE_HEADER_SIZE + BRANCH_ELEMENT_SIZE * elems.length;
  elems.forEach((e, i) => {
    const at = PAGE_HEADER_SIZE + BRANCH_ELEMENT_SIZE * i;
    out.writeUInt32LE(data - at, at);
    out.writeUInt32LE(e.key.length, at + 4);
    out.writeBigUInt64LE(BigInt(e.pgid), at + 8);
    out.set(e.key, data);
    data += e.key.length;
  });
}
