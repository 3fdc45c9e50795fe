import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

test('the three programs have entry points', () => {
  for (const bin of ['cairn', 'cairnctl', 'cairnadm']) {
    assert.ok(existsSync(join(__dirname, '..', '..', '..', 'bin', bin)), bin);
  }
});
