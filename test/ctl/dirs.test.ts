// ls / mkdir / rmdir: the v2-style directory commands on v3 keys, against cairn, as README.md says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCtl, type CtlIo } from '../../src/ctl';
import { listEntries, normaliseDir } from '../../src/ctl/commands/dirs';
import { startLoneCairn } from '../cli/cairn-process';

async function cairnctl(args: string[]): Promise<[number, string, string]> {
  let stdout = '';
  let stderr = '';
  const io: CtlIo = {
    env: { PATH: process.env.PATH },
    output: { out: (d) => { stdout += Buffer.from(d).toString(); }, err: (t) => { stderr += t; } },
    readStdin: async () => Buffer.alloc(0),
    readLine: async () => null,
  };
  const code = await runCtl(args, io);
  return [code, stdout, stderr];
}

test('normaliseDir and listEntries', () => {
  assert.deepEqual(['a/b', '/a/b/', '/a//', '/', ''].map(normaliseDir), ['/a/b', '/a/b', '/a', '', '']);
  const keys = ['/a/', '/a/x', '/a/y/', '/a/y/z', '/a/y/w/v', '/b'];
  assert.deepEqual(listEntries('/a', keys, false), ['/a/x', '/a/y']);
  assert.deepEqual(listEntries('/a', keys, true), ['/a/x', '/a/y', '/a/y/w', '/a/y/w/v', '/a/y/z']);
  assert.deepEqual(listEntries('', keys, false), ['/a', '/b']);
});

test('ls, mkdir, rmdir against cairn', { timeout: 60_000 }, async () => {
  const cairn = await startLoneCairn();
  const c = cairn.endpoint;
  try {
    const run = (...args: string[]) => cairnctl([`--endpoints=${c}`, ...args]);
    assert.deepEqual(await run('mkdir', 'dir'), [0, '', '']);
    assert.deepEqual(await run('mkdir', '/dir/'), [1, '', 'Error: 105: Key already exists (/dir)\n']);
    assert.deepEqual(await run('ls'), [0, '/dir\n', '']);
    assert.deepEqual(await run('ls', '/dir'), [0, '', ''], 'an empty directory lists nothing');
    assert.deepEqual(await run('put', '/dir/sub/key', 'v'), [0, 'OK\n', '']);
    assert.deepEqual(await run('put', '/dir/file', 'v'), [0, 'OK\n', '']);
    assert.deepEqual(await run('ls', '/dir'), [0, '/dir/file\n/dir/sub\n', '']);
    assert.deepEqual(await run('ls', '--recursive', '/dir'), [0, '/dir/file\n/dir/sub\n/dir/sub/key\n', '']);
    assert.deepEqual(await run('ls', '/dir/file'), [0, '/dir/file\n', '']);
    assert.deepEqual(await run('ls', '/nothing'), [1, '', 'Error: 100: Key not found (/nothing)\n']);
    assert.deepEqual(await run('rmdir', '/dir'), [1, '', 'Error: 108: Directory not empty (/dir)\n']);
    assert.deepEqual(await run('del', '/dir/', '--prefix'), [0, '3\n', '']);
    assert.deepEqual(await run('rmdir', '/dir'), [1, '', 'Error: 100: Key not found (/dir)\n']);
    assert.deepEqual(await run('mkdir', '/e'), [0, '', '']);
    assert.deepEqual(await run('rmdir', 'e/'), [0, '', '']);
    assert.deepEqual(await run('get', '/e/'), [0, '', ''], 'the marker is gone');
    assert.deepEqual(await run('rmdir', '/'), [1, '', 'Error: 107: Root is read only (/)\n']);
  } finally {
    await cairn.stop();
  }
});
