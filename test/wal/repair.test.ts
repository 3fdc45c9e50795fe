import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Wal, WalError } from '../../src/wal';
import { decodeSegment } from '../../src/wal/decoder';
import { RecordType, decodeEntry } from '../../src/wal/record';
import { META, entries, recordingLogger, tempWalDir } from './helpers';

const FIRST = '0000000000000000-0000000000000000.wal';
const SEGMENT = 8192;

/** A closed log in one segment: entries 1..9 of 60 bytes, then entry 10 of 700 bytes (2 or 3 sectors). */
async function writeLog(dir: string): Promise<{ file: string; lastStart: number; lastEnd: number }> {
  const wal = Wal.create(dir, META, { segmentBytes: SEGMENT });
  await wal.save({ term: 1, vote: 1n, commit: 0 }, entries(1, 9, 1, 60));
  await wal.save(undefined, entries(10, 10, 1, 700));
  await wal.close();
  const file = path.join(dir, FIRST);
  const scan = decodeSegment(fs.readFileSync(file));
  const last = scan.records[scan.records.length - 1];
  return { file, lastStart: last.offset, lastEnd: scan.end };
}

/** Opens a copy of `original` damaged by `damage`; returns what readAll gave and what was logged. */
async function openDamaged(original: Buffer, work: string, damage: (fd: number) => void) {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const file = path.join(work, FIRST);
  fs.writeFileSync(file, original);
  const fd = fs.openSync(file, 'r+');
  damage(fd);
  fs.closeSync(fd);
  const logger = recordingLogger();
  const wal = Wal.open(work, { segmentBytes: SEGMENT, logger });
  try {
    return { contents: wal.readAll(), lines: logger.lines, wal };
  } catch (err) {
    await wal.close();
    throw err;
  }
}

test('a last record cut off at any byte is dropped and every complete record survives', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const { file, lastStart, lastEnd } = await writeLog(dir);
  const original = fs.readFileSync(file);
  const work = `${dir}-work`;
  for (let cut = lastStart; cut < lastEnd; cut++) {
    const { contents, lines, wal } = await openDamaged(original, work, (fd) => fs.ftruncateSync(fd, cut));
    assert.deepEqual(contents.entries, entries(1, 9, 1, 60), `cut at ${cut}`);
    assert.deepEqual(contents.hardState, { term: 1, vote: 1n, commit: 0 });
    if (cut > lastStart) {
      assert.equal(lines.length, 1, `cut at ${cut}: one log line`);
      assert.match(lines[0], new RegExp(`^warn wal: cutting off torn last record \\(.+\\) in ${FIRST} at offset ${lastStart}; the file as found is kept as ${FIRST}\\.broken$`));
    }
    await wal.close();
    // The repaired log is preallocated again and takes appends where the torn record was.
    assert.equal(fs.statSync(path.join(work, FIRST)).size, SEGMENT);
    if (cut === lastStart + 1 || cut === lastEnd - 1) {
      const again = Wal.open(work, { segmentBytes: SEGMENT });
      again.readAll();
      await again.save(undefined, entries(10, 11));
      await again.close();
      const reread = Wal.open(work);
      assert.deepEqual(reread.readAll().entries, [...entries(1, 9, 1, 60), ...entries(10, 11)]);
      await reread.close();
    }
  }
});

test('a last record with a sector that never reached the disk is dropped', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const { file, lastStart, lastEnd } = await writeLog(dir);
  const original = fs.readFileSync(file);
  const work = `${dir}-work`;
  const firstSector = Math.floor(lastStart / 512) * 512;
  for (let sector = firstSector; sector < lastEnd; sector += 512) {
    // An unwritten sector keeps its old content: the earlier records in it, zeros after them.
    const from = Math.max(sector, lastStart);
    const to = Math.min(sector + 512, lastEnd);
    const { contents, lines, wal } = await openDamaged(original, work, (fd) => fs.writeSync(fd, Buffer.alloc(to - from), 0, to - from, from));
    assert.deepEqual(contents.entries, entries(1, 9, 1, 60), `sector at ${sector}`);
    assert.equal(lines.length, 1);
    assert.ok(fs.existsSync(path.join(work, `${FIRST}.broken`)), 'the file as found is kept');
    await wal.close();
    const rest = fs.readFileSync(path.join(work, FIRST)).subarray(lastStart);
    assert.ok(rest.every((b) => b === 0), 'everything after the last complete record is zeroed');
  }
});

test('stray bytes after the last record (a torn write that missed its header) are zeroed', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const { file, lastEnd } = await writeLog(dir);
  const original = fs.readFileSync(file);
  const { contents, lines, wal } = await openDamaged(original, `${dir}-work`, (fd) => fs.writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, lastEnd + 512));
  assert.equal(contents.entries.length, 10);
  assert.deepEqual(lines, [`warn wal: cutting off unreadable bytes after the last record in ${FIRST} at offset ${lastEnd}; the file as found is kept as ${FIRST}.broken`]);
  await wal.close();
  assert.ok(fs.readFileSync(path.join(`${dir}-work`, FIRST)).subarray(lastEnd).every((b) => b === 0));
});

test('a crc mismatch before the last record stops open with the file and offset', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const { file } = await writeLog(dir);
  const original = fs.readFileSync(file);
  const records = decodeSegment(original).records;
  for (const victim of [3, 7, records.length - 1]) {
    const at = records[victim].offset;
    const expected = `wal: crc mismatch in ${FIRST} at offset ${at}`;
    await assert.rejects(
      openDamaged(original, `${dir}-work`, (fd) => fs.writeSync(fd, Buffer.from([original[at + 12] ^ 0x01]), 0, 1, at + 12)),
      (err: unknown) => err instanceof WalError && err.code === 'crc-mismatch' && err.message === expected,
      `record ${victim}`,
    );
  }
});

test('a damaged length field is caught by the crc', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const { file } = await writeLog(dir);
  const original = fs.readFileSync(file);
  const at = decodeSegment(original).records[4].offset;
  await assert.rejects(
    openDamaged(original, `${dir}-work`, (fd) => fs.writeSync(fd, Buffer.from([original[at] + 8]), 0, 1, at)),
    { message: `wal: crc mismatch in ${FIRST} at offset ${at}` },
  );
});

test('a torn record in a segment that is not the last stops open', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META, { segmentBytes: 1024 });
  for (let i = 1; i <= 40; i += 4) await wal.save(undefined, entries(i, i + 3));
  await wal.close();
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
  assert.ok(names.length >= 3);
  const victim = path.join(dir, names[1]);
  const size = fs.statSync(victim).size;
  fs.truncateSync(victim, size - 3);
  const open = Wal.open(dir);
  assert.throws(() => open.readAll(), {
    message: `wal: torn record in ${names[1]} at offset ${decodeSegment(fs.readFileSync(victim)).end} (frame runs past the end of the file), but it is not the last segment`,
  });
});

test('zeros inside a segment that is not the last stop open', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META, { segmentBytes: 1024 });
  for (let i = 1; i <= 40; i += 4) await wal.save(undefined, entries(i, i + 3));
  await wal.close();
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
  const victim = path.join(dir, names[1]);
  const at = decodeSegment(fs.readFileSync(victim)).records[1].offset;
  const fd = fs.openSync(victim, 'r+');
  fs.writeSync(fd, Buffer.alloc(8), 0, 8, at);
  fs.closeSync(fd);
  assert.throws(() => Wal.open(dir).readAll(), {
    message: `wal: zeroed data in ${names[1]} at offset ${at}, before the end of a segment that is not the last`,
  });
});

test('in a torn batch, everything from the first torn record on is dropped', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const wal = Wal.create(dir, META, { segmentBytes: SEGMENT });
  await wal.save({ term: 1, vote: 1n, commit: 0 }, entries(1, 3, 1, 60));
  await wal.save(undefined, entries(4, 8, 1, 600)); // one write of five records, about 3 KiB
  await wal.close();
  const file = path.join(dir, FIRST);
  const original = fs.readFileSync(file);
  const sixth = decodeSegment(original).records.find((r) => r.type === RecordType.Entry && decodeEntry(r.payload)?.index === 6)!;
  // The sector holding the middle of entry 6 never reached the disk; the sectors after it did.
  const hole = Math.ceil((sixth.offset + 100) / 512) * 512;
  const { contents, lines, wal: reopened } = await openDamaged(original, `${dir}-work`, (fd) => fs.writeSync(fd, Buffer.alloc(512), 0, 512, hole));
  assert.deepEqual(contents.entries.map((e) => e.index), [1, 2, 3, 4, 5]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /torn last record \(zeroed sector\)/);
  await reopened.close();
});
