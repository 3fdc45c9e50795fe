// Reads elements out of a leaf or branch node (a page plus its overflow pages, or an inline page
// inside a bucket value), checking that every element stays inside the node's bytes.
import { SnapshotError } from './errors';
import {
  BRANCH_ELEMENT_SIZE,
  BRANCH_PAGE,
  LEAF_ELEMENT_SIZE,
  LEAF_PAGE,
  PAGE_HEADER_SIZE,
  pageTypeName,
  readPageHeader,
  readPgid,
} from './layout';

export interface NodeView {
  /** Page id for error messages; 0 for an inline page. */
  pgid: number;
  /** Where the node is, for error messages ("page 12", "inline page of bucket \"meta\""). */
  label: string;
  isLeaf: boolean;
  count: number;
  bytes: Buffer;
}

export interface LeafEntry {
  flags: number;
  key: Buffer;
  value: Buffer;
}

export interface BranchEntry {
  key: Buffer;
  pgid: number;
}

/** Interprets `bytes` (starting at a page header) as a leaf or branch node. */
export function viewNode(bytes: Buffer, label: string): NodeView {
  const h = readPageHeader(bytes, 0);
  if (h.flags !== LEAF_PAGE && h.flags !== BRANCH_PAGE) {
    throw new SnapshotError('bad-page', `${label}: unexpected page type ${pageTypeName(h.flags)}, want branch or leaf`);
  }
  const isLeaf = h.flags === LEAF_PAGE;
  const elemSize = isLeaf ? LEAF_ELEMENT_SIZE : BRANCH_ELEMENT_SIZE;
  if (PAGE_HEADER_SIZE + elemSize * h.count > bytes.length) {
    throw new SnapshotError('bad-page', `${label}: ${h.count} elements do not fit in ${bytes.length} bytes`);
  }
  if (!isLeaf && h.count === 0) throw new SnapshotError('bad-page', `${label}: branch page without elements`);
  return { pgid: h.id, label, isLeaf, count: h.count, bytes };
}

export function leafEntry(node: NodeView, i: number): LeafEntry {
  const at = PAGE_HEADER_SIZE + LEAF_ELEMENT_SIZE * i;
  const b = node.bytes;
  const flags = b.readUInt32LE(at);
  const start = at + b.readUInt32LE(at + 4);
  const ksize = b.readUInt32LE(at + 8);
  const vsize = b.readUInt32LE(at + 12);
  checkRange(node, i, start, ksize, vsize);
  return { flags, key: b.subarray(start, start + ksize), value: b.subarray(start + ksize, start + ksize + vsize) };
}

export function branchEntry(node: NodeView, i: number): BranchEntry {
  const at = PAGE_HEADER_SIZE + BRANCH_ELEMENT_SIZE * i;
  const b = node.bytes;
  const start = at + b.readUInt32LE(at);
  const ksize = b.readUInt32LE(at + 4);
  checkRange(node, i, start, ksize, 0);
  return { key: b.subarray(start, start + ksize), pgid: readPgid(b, at + 8) };
}

function checkRange(node: NodeView, i: number, start: number, ksize: number, vsize: number): void {
  if (ksize === 0) throw new SnapshotError('bad-page', `${node.label}: element ${i} has an empty key`);
  if (start + ksize + vsize > node.bytes.length) {
    throw new SnapshotError('bad-page', `${node.label}: element ${i} runs past the end of the node`);
  }
}
