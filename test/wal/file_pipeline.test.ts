import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FilePipeline } from '../../src/wal/file_pipeline';
import { tempWalDir } from './helpers';

test('the pipeline hands out sized files under alternating names and removes the spare on close', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  fs.mkdirSync(dir, { recursive: true });
  const pipeline = new FilePipeline(dir, 4096);
  const first = await pipeline.take();
  assert.equal(path.basename(first.path), '0.tmp');
  assert.equal(fs.fstatSync(first.fd).size, 4096);
  assert.equal(fs.statSync(first.path).mode & 0o777, 0o600);
  fs.renameSync(first.path, path.join(dir, 'a.wal'));
  fs.closeSync(first.fd);
  const second = await pipeline.take();
  assert.equal(path.basename(second.path), '1.tmp');
  fs.renameSync(second.path, path.join(dir, 'b.wal'));
  fs.closeSync(second.fd);
  await pipeline.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.wal', 'b.wal']);
});

test('a pipeline that cannot create files reports it on take', async (t) => {
  const { dir, cleanup } = tempWalDir();
  t.after(cleanup);
  const pipeline = new FilePipeline(path.join(dir, 'missing'), 4096);
  await assert.rejects(pipeline.take(), { code: 'ENOENT' });
  await pipeline.close();
});
