import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, namedLogger, parseTraceChannels, tracer, LoggerError } from '../../src/log';

function withLogFile(fn: (path: string) => void): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-log-'));
  try {
    const path = join(dir, 'server.log');
    fn(path);
    return readFileSync(path, 'utf8').trim().split('\n').map((line) => line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('lines carry etcd/zap fields: level word, ISO ts, logger name, msg', () => {
  const lines = withLogFile((path) => {
    const logger = createLogger({ outputs: [path] });
    logger.info({ address: '127.0.0.1:2379' }, 'serving client traffic insecurely; this is strongly discouraged!');
    namedLogger(namedLogger(logger, 'etcdserver'), 'apply').warn('slow apply');
  });
  assert.equal(lines.length, 2);
  const first = JSON.parse(lines[0]);
  assert.equal(first.level, 'info');
  assert.match(first.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(first.logger, 'cairn');
  assert.equal(first.address, '127.0.0.1:2379');
  assert.equal(first.msg, 'serving client traffic insecurely; this is strongly discouraged!');
  // a child of a child names itself once
  assert.equal((lines[1].match(/"logger"/g) ?? []).length, 1);
  assert.equal(JSON.parse(lines[1]).logger, 'apply');
  assert.equal(JSON.parse(lines[1]).level, 'warn');
});

test('--log-level filters, and etcd\'s panic level is accepted', () => {
  const lines = withLogFile((path) => {
    const logger = createLogger({ outputs: [path], level: 'warn' });
    logger.info('dropped');
    logger.debug('dropped too');
    logger.error('kept');
    createLogger({ outputs: [path], level: 'panic' }).error('dropped at panic level');
  });
  assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ['kept']);
});

test('an unknown level or an output that cannot be opened is a clear error', () => {
  assert.throws(() => createLogger({ level: 'loud' as never }), (err: unknown) => err instanceof LoggerError && /unknown log level "loud"/.test(err.message));
  assert.throws(() => createLogger({ outputs: ['/nonexistent-dir/cairn.log'] }), (err: unknown) => err instanceof LoggerError && err.message === 'log: cannot open log output /nonexistent-dir/cairn.log: ENOENT');
});

test('CAIRN_TRACE parses channel lists, all, and reports unknown names', () => {
  const sel = parseTraceChannels('raft, WAL,,bogus');
  assert.deepEqual([...sel.channels].sort(), ['raft', 'wal']);
  assert.deepEqual(sel.unknown, ['bogus']);
  assert.deepEqual([...parseTraceChannels('all').channels].sort(), ['mvcc', 'raft', 'transport', 'wal']);
  assert.equal(parseTraceChannels(undefined).channels.size, 0);
});

test('a trace channel that is on writes debug lines named after it even at level error', () => {
  const lines = withLogFile((path) => {
    const logger = createLogger({ outputs: [path], level: 'error' });
    const raft = tracer(logger, 'raft', { env: { CAIRN_TRACE: 'raft' } });
    const wal = tracer(logger, 'wal', { env: { CAIRN_TRACE: 'raft' } });
    assert.equal(raft.enabled, true);
    assert.equal(wal.enabled, false);
    raft.trace('became leader', { term: 2 });
    wal.trace('never written');
    logger.info('filtered');
    logger.error('kept');
  });
  const parsed = lines.map((l) => JSON.parse(l));
  assert.deepEqual(parsed.map((p) => [p.logger, p.level, p.msg]), [['raft', 'debug', 'became leader'], ['cairn', 'error', 'kept']]);
  assert.equal(parsed[0].term, 2);
});
