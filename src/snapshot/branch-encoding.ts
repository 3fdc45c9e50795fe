// Builds the bytes of a branch node: page header, element array, then the keys in element order.
import { BRANCH_ELEMENT_SIZE, BRANCH_PAGE, PAGE_HEADER_SIZE, writePageHeader } from './layout';

export interface BranchElement {
  key: Buffer;
  pgid: number;
}

export const branchElementSize = (e: BranchElement): number => BRANCH_ELEMENT_SIZE + e.key.length;

/** A branch node padded to whole pages; `size` is PAGE_HEADER_SIZE plus the elements' sizes. */
export function encodeBranchNode(pgid: number, elems: BranchElement[], size: number, pageSize: number): Buffer {
  const pages = Math.ceil(size / pageSize);
  const out = Buffer.alloc(pages * pageSize);
  writePageHeader(out, 0, { id: pgid, flags: BRANCH_PAGE, count: elems.length, overflow: pages - 1 });
  let data = PAGE_HEADER_SIZE + BRANCH_ELEMENT_SIZE * elems.length;
  elems.forEach((e, i) => {
    const at = PAGE_HEADER_SIZE + BRANCH_ELEMENT_SIZE * i;
    out.writeUInt32LE(data - at, at);
    out.writeUInt32LE(e.key.length, at + 4);
    out.writeBigUInt64LE(BigInt(e.pgid), at + 8);
    out.set(e.key, data);
    data += e.key.length;
  });
  return out;
}
