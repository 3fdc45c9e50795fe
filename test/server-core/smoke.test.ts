import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, removeDir, startCore, tempDataDir } from './harness';

test('put then get through the gRPC services', async () => {
  const dir = tempDataDir();
  const running = await startCore(dir);
  try {
    const c = api(running.clients);
    const put = await c.put('foo', 'bar');
    assert.ok((put.header?.revision ?? 0n) > 0n);
    const got = await c.range('foo');
    assert.equal(got.kvs.length, 1);
    assert.equal(got.kvs[0].value.toString(), 'bar');
  } finally {
    await running.stop();
    removeDir(dir);
  }
});
