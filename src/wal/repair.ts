// Repair of the last segment after a crash: what follows the last complete record was never
// acknowledged (its fdatasync did not finish), so it is cut off and the space zeroed. The file
// as found is kept next to it as `<name>.broken` for inspection, as etcd does.

import * as fs from 'node:fs';

/** Copies the segment to `<path>.broken` before it is changed; returns the copy's path. */
export function keepBrokenCopy(segmentPath: string): string {
  const copy = `${segmentPath}.broken`;
  fs.copyFileSync(segmentPath, copy);
  return copy;
}

/**
 * Makes the tail segment end at `validEnd` followed by zeros up to at least `segmentBytes`.
 * `discard` says whether bytes after `validEnd` must be removed (a torn or stray write).
 */
export function resetTail(fd: number, validEnd: number, { segmentBytes, discard }: { segmentBytes: number; discard: boolean }): void {
  let changed = false;
  if (discard) {
    fs.ftruncateSync(fd, validEnd);
    changed = true;
  }
  if (fs.fstatSync(fd).size < segmentBytes) {
    fs.ftruncateSync(fd, segmentBytes);
    changed = true;
  }
  if (changed) fs.fdatasyncSync(fd);
}

/** Deletes temporary files a crash may have left in the log directory. */
export function removeTemporaries(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.tmp')) fs.rmSync(`${dir}/${name}`, { force: true });
  }
}
