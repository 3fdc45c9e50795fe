// The command lines of the golden tests, in the order they run. Every target (real etcdctl or
// cairnctl, against real etcd or cairn) starts from a fresh server and runs the whole list, so
// revisions line up. `{LEASE}`, `{NEW_MEMBER}` and `{TMP}` in args are filled in per run.

export interface GoldenCase {
  readonly name: string;
  readonly args: readonly string[];
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Give no --endpoints (the case sets ETCDCTL_ENDPOINTS or means the default). */
  readonly noEndpoints?: boolean;
  /** Stores the first group of this pattern's match on stdout under the name, for later args. */
  readonly capture?: { readonly name: string; readonly pattern: RegExp };
  /** Parts of the output that depend on timing or on the server's byte layout. */
  readonly mask?: readonly RegExp[];
  /** Output order follows random member ids: compare lines (and ETCD_INITIAL_CLUSTER items) sorted. */
  readonly unordered?: boolean;
}

const RAFT = /"raft_?([tT]erm|[iI]ndex|[aA]pplied_?[iI]ndex)":\d+/g;
// Lease ids are inside the hashed values, and differ between servers.
const HASH = /"hash":\d+|, \d+$/gm;
const VERSION = /"version":"3\.4\.\d+"|3\.4\.\d+/g;
const STATUS_SIMPLE = /, 3\.4\.\d+, (\d+(\.\d+)? [kMG]?B), (true|false), (true|false), \d+, \d+, \d+, /g;
const DB_SIZE = /"dbSize":\d+|"dbSizeInUse":\d+/g;
const TABLE_STATUS = /\| +3\.4\.\d+ \| +\d+(\.\d+)? [kMG]?B \|( +(true|false) \|){2}( +\d+ \|){3}/g;
const REMAINING = /remaining\(\d+s\)|"ttl":\d+/g;
const SNAP_HASH = /^[0-9a-f]+, \d+, \d+, [\d.]+ [kMG]?B$|"hash":\d+|"totalSize":\d+/gm;

// The response header's ids are varints inside the message: compare from the first key on.
const PROTO_HEADER = /^[\s\S]*?(?=foo)/;

const TXN_OK = 'mod("foo") > "0"\n\nput t1 x\nget foo\n\nput t2 y\n\n';
const TXN_FAIL = 'value("foo") = "nope"\n\nput t1 never\n\nget a --prefix\ndel t1\n\n';

export const GOLDEN_CASES: readonly GoldenCase[] = [
  // keys
  { name: 'put', args: ['put', 'foo', 'bar'] },
  { name: 'put-prev-kv', args: ['put', 'foo', 'bar2', '--prev-kv'] },
  { name: 'put-a1', args: ['put', 'a/1', 'v1'] },
  { name: 'put-a2-json', args: ['put', 'a/2', 'v2', '-w', 'json'] },
  { name: 'put-a-b-3', args: ['put', 'a/b/3', 'v3'] },
  { name: 'put-stdin', args: ['put', 'fromstdin'], stdin: 'value from stdin' },
  { name: 'put-ignore-value-missing', args: ['put', 'nosuch', '--ignore-value'] },
  { name: 'put-ignore-value', args: ['put', 'foo', '--ignore-value', '--prev-kv'] },
  { name: 'put-no-args', args: ['put'] },
  { name: 'get', args: ['get', 'foo'] },
  { name: 'get-json', args: ['get', 'foo', '-w', 'json'] },
  { name: 'get-fields', args: ['get', 'foo', '-w', 'fields'] },
  { name: 'get-table', args: ['get', 'a', '--prefix', '-w', 'table'] },
  { name: 'get-hex', args: ['get', 'foo', '--hex'] },
  { name: 'get-hex-json', args: ['get', 'foo', '--hex', '-w', 'json'] },
  { name: 'get-prefix', args: ['get', 'a', '--prefix'] },
  { name: 'get-keys-only', args: ['get', 'a', '--prefix', '--keys-only'] },
  { name: 'get-print-value-only', args: ['get', 'a', '--prefix', '--print-value-only'] },
  { name: 'get-limit-json', args: ['get', 'a', '--prefix', '--limit=1', '-w', 'json'] },
  { name: 'get-sort', args: ['get', 'a', '--prefix', '--sort-by=MODIFY', '--order=DESCEND'] },
  { name: 'get-from-key', args: ['get', 'a/2', '--from-key', '--keys-only'] },
  { name: 'get-range', args: ['get', 'a/1', 'a/b'] },
  { name: 'get-count-only', args: ['get', 'a', '--prefix', '--count-only', '-w', 'fields'] },
  { name: 'get-rev', args: ['get', 'foo', '--rev=1'] },
  { name: 'get-serializable', args: ['get', 'foo', '--consistency=s'] },
  { name: 'get-missing', args: ['get', 'nosuch'] },
  { name: 'get-no-args', args: ['get'] },
  { name: 'get-prefix-from-key', args: ['get', 'a', '--prefix', '--from-key'] },
  { name: 'get-bad-limit', args: ['get', 'a', '--limit=x'] },
  { name: 'get-bad-sort', args: ['get', 'a', '--sort-by=COLOR'] },
  { name: 'get-value-only-json', args: ['get', 'foo', '--print-value-only', '-w', 'json'] },
  { name: 'get-protobuf', args: ['get', 'foo', '-w', 'protobuf'], mask: [PROTO_HEADER] },
  { name: 'get-fields-hex', args: ['get', 'a', '--prefix', '--hex', '-w', 'fields'] },
  { name: 'get-json-prefix', args: ['get', 'a', '--prefix', '-w', 'json'] },
  { name: 'get-sort-version-ascend', args: ['get', 'a', '--prefix', '--sort-by=VERSION', '--order=ASCEND', '--keys-only'] },
  { name: 'get-bad-consistency', args: ['get', 'a', '--consistency=x'] },
  { name: 'get-future-rev', args: ['get', 'foo', '--rev=999'] },
  { name: 'put-fields', args: ['put', 'fz', 'v', '-w', 'fields'] },
  { name: 'put-table', args: ['put', 'fz', 'v2', '-w', 'table'] },
  { name: 'del-prev-kv', args: ['del', 'a/2', '--prev-kv'] },
  { name: 'del-fields', args: ['del', 'fz', '-w', 'fields'] },
  { name: 'del-from-key', args: ['del', 'zz', '--from-key'] },
  { name: 'del-missing', args: ['del', 'nosuch'] },
  { name: 'del-json', args: ['del', 'fromstdin', '-w', 'json'] },
  // txn
  { name: 'txn-success', args: ['txn'], stdin: TXN_OK },
  { name: 'txn-failure', args: ['txn'], stdin: TXN_FAIL },
  { name: 'txn-json', args: ['txn', '-w', 'json'], stdin: 'ver("t1") = "1"\n\nget t1\n\n\n' },
  { name: 'txn-interactive', args: ['txn', '-i'], stdin: 'create("t2") > "0"\n\ndel t2 --prev-kv\n\n\n' },
  { name: 'txn-malformed', args: ['txn'], stdin: 'bogus\n\n\n\n' },
  { name: 'txn-fields', args: ['txn', '-w', 'fields'], stdin: 'ver("t1") > "0"\n\nget t1\nput t3 z --prev-kv\n\n\n' },
  { name: 'txn-args', args: ['txn', 'extra'] },
  { name: 'txn-bad-op', args: ['txn'], stdin: '\nfrob x\n\n\n' },
  // watch (exec mode: the first event's command fails, so the watch ends deterministically)
  { name: 'watch-exec', args: ['watch', '--rev=1', 'foo', '--', 'sh', '-c', 'echo "$ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY $ETCD_WATCH_VALUE"; exit 3'] },
  { name: 'watch-prefix-prev-kv', args: ['watch', '--rev=2', '--prefix', 'a/', '--prev-kv', '--', 'sh', '-c', 'exit 4'] },
  { name: 'watch-no-key', args: ['watch'] },
  { name: 'watch-range-and-prefix', args: ['watch', 'a', 'b', '--prefix'] },
  { name: 'watch-env-key', args: ['watch', '--rev=1', '--', 'false'], env: { ETCDCTL_WATCH_KEY: 'foo' } },
  // lease
  { name: 'lease-grant', args: ['lease', 'grant', '600'], capture: { name: 'LEASE', pattern: /lease ([0-9a-f]{16}) granted/ } },
  { name: 'put-lease', args: ['put', 'lk', 'lv', '--lease={LEASE}'] },
  { name: 'lease-timetolive', args: ['lease', 'timetolive', '{LEASE}'], mask: [REMAINING] },
  { name: 'lease-timetolive-keys', args: ['lease', 'timetolive', '{LEASE}', '--keys'], mask: [REMAINING] },
  { name: 'lease-timetolive-json', args: ['lease', 'timetolive', '{LEASE}', '--keys', '-w', 'json'], mask: [REMAINING] },
  { name: 'lease-list', args: ['lease', 'list'] },
  { name: 'lease-list-json', args: ['lease', 'list', '-w', 'json'] },
  { name: 'lease-keep-alive-once-json', args: ['lease', 'keep-alive', '--once', '{LEASE}', '-w', 'json'] },
  { name: 'put-ignore-lease', args: ['put', 'lk', 'lv2', '--ignore-lease', '--prev-kv', '-w', 'json'] },
  { name: 'lease-keep-alive-once', args: ['lease', 'keep-alive', '--once', '{LEASE}'] },
  { name: 'lease-revoke', args: ['lease', 'revoke', '{LEASE}'] },
  { name: 'lease-revoke-again', args: ['lease', 'revoke', '{LEASE}'] },
  { name: 'get-after-revoke', args: ['get', 'lk'] },
  { name: 'lease-timetolive-expired', args: ['lease', 'timetolive', '1234abcd'] },
  { name: 'lease-grant-bad-ttl', args: ['lease', 'grant', 'ten'] },
  { name: 'put-bad-lease', args: ['put', 'x', 'y', '--lease=zz'] },
  // members
  { name: 'member-list', args: ['member', 'list'] },
  { name: 'member-list-json', args: ['member', 'list', '-w', 'json'] },
  { name: 'member-list-table', args: ['member', 'list', '-w', 'table'] },
  { name: 'member-add-learner', args: ['member', 'add', 'newm', '--learner', '--peer-urls=http://127.0.0.1:1'], unordered: true, capture: { name: 'NEW_MEMBER', pattern: /Member +([0-9a-f]+) added/ } },
  { name: 'member-list-after-add', args: ['member', 'list'], unordered: true },
  { name: 'member-update', args: ['member', 'update', '{NEW_MEMBER}', '--peer-urls=http://127.0.0.1:2'] },
  { name: 'member-promote-unsynced', args: ['member', 'promote', '{NEW_MEMBER}'] },
  { name: 'member-remove', args: ['member', 'remove', '{NEW_MEMBER}'] },
  { name: 'member-remove-missing', args: ['member', 'remove', '1234'] },
  { name: 'member-add-no-urls', args: ['member', 'add', 'x'] },
  // endpoints and maintenance
  { name: 'endpoint-health', args: ['endpoint', 'health'] },
  { name: 'endpoint-health-json', args: ['endpoint', 'health', '-w', 'json'] },
  { name: 'endpoint-status', args: ['endpoint', 'status'], mask: [STATUS_SIMPLE] },
  { name: 'endpoint-status-json', args: ['endpoint', 'status', '-w', 'json'], mask: [RAFT, DB_SIZE, VERSION] },
  { name: 'endpoint-status-table', args: ['endpoint', 'status', '-w', 'table', '--cluster'], mask: [TABLE_STATUS] },
  { name: 'endpoint-status-url', args: ['--endpoints=http://{EP}', 'endpoint', 'status', '-w', 'json'], noEndpoints: true, mask: [RAFT, DB_SIZE, VERSION] },
  { name: 'endpoint-hashkv', args: ['endpoint', 'hashkv'], mask: [HASH] },
  { name: 'endpoint-hashkv-json', args: ['endpoint', 'hashkv', '-w', 'json'], mask: [RAFT, HASH] },
  { name: 'alarm-list', args: ['alarm', 'list'] },
  { name: 'alarm-disarm', args: ['alarm', 'disarm'] },
  { name: 'alarm-list-json', args: ['alarm', 'list', '-w', 'json'] },
  { name: 'member-list-fields', args: ['member', 'list', '-w', 'fields'] },
  { name: 'move-leader-bad-id', args: ['move-leader', 'xyz'] },
  { name: 'move-leader-self', args: ['move-leader', '{SELF}'] },
  { name: 'defrag', args: ['defrag'] },
  { name: 'compaction', args: ['compaction', '4'] },
  { name: 'get-compacted', args: ['get', 'foo', '--rev=2'] },
  { name: 'compaction-again', args: ['compaction', '3'] },
  { name: 'compaction-future', args: ['compaction', '1000'] },
  { name: 'compaction-bad', args: ['compaction', 'abc'] },
  { name: 'compaction-physical', args: ['compaction', '--physical', '6'] },
  { name: 'watch-compacted', args: ['watch', '--rev=2', 'foo'] },
  // auth
  { name: 'user-add-root', args: ['user', 'add', 'root', '--new-user-password=rootpw'] },
  { name: 'user-add-alice', args: ['user', 'add', 'alice:pw'] },
  { name: 'user-add-dup', args: ['user', 'add', 'alice:pw'] },
  { name: 'user-list', args: ['user', 'list'] },
  { name: 'role-add', args: ['role', 'add', 'r1'] },
  { name: 'role-grant-prefix', args: ['role', 'grant-permission', 'r1', 'readwrite', 'a/', '--prefix'] },
  { name: 'role-grant-range', args: ['role', 'grant-permission', 'r1', 'read', 'k1', 'k5'] },
  { name: 'role-grant-bad-type', args: ['role', 'grant-permission', 'r1', 'execute', 'k1'] },
  { name: 'role-get', args: ['role', 'get', 'r1'] },
  { name: 'role-get-json', args: ['role', 'get', 'r1', '-w', 'json'] },
  { name: 'role-list', args: ['role', 'list'] },
  { name: 'user-grant-role', args: ['user', 'grant-role', 'alice', 'r1'] },
  { name: 'user-get', args: ['user', 'get', 'alice'] },
  { name: 'user-passwd-stdin', args: ['user', 'passwd', 'alice', '--interactive=false'], stdin: 'newpw\n' },
  { name: 'user-get-json', args: ['user', 'get', 'alice', '-w', 'json'] },
  { name: 'role-list-json', args: ['role', 'list', '-w', 'json'] },
  { name: 'user-get-detail', args: ['user', 'get', 'alice', '--detail'] },
  { name: 'user-get-missing', args: ['user', 'get', 'nobody'] },
  { name: 'user-revoke-role', args: ['user', 'revoke-role', 'alice', 'r1'] },
  { name: 'role-revoke-permission', args: ['role', 'revoke-permission', 'r1', 'k1', 'k5'] },
  { name: 'role-delete', args: ['role', 'delete', 'r1'] },
  { name: 'user-delete', args: ['user', 'delete', 'alice'] },
  { name: 'auth-enable-without-root-role', args: ['auth', 'enable'] },
  { name: 'role-add-root', args: ['role', 'add', 'root'] },
  { name: 'user-grant-root', args: ['user', 'grant-role', 'root', 'root'] },
  { name: 'auth-status', args: ['auth', 'status'] },
  { name: 'auth-enable', args: ['auth', 'enable'] },
  { name: 'get-no-user', args: ['get', 'foo'] },
  { name: 'get-as-root', args: ['--user', 'root:rootpw', 'get', 'foo'] },
  { name: 'get-bad-password', args: ['--user=root:wrong', 'get', 'foo'] },
  { name: 'get-password-flag', args: ['--user=root', '--password=rootpw', 'get', 'foo', '--print-value-only'] },
  { name: 'auth-disable', args: ['--user', 'root:rootpw', 'auth', 'disable'] },
  { name: 'auth-status-json', args: ['auth', 'status', '-w', 'json'], mask: [RAFT] },
  // snapshots
  { name: 'snapshot-save', args: ['snapshot', 'save', '{TMP}/snap.db'] },
  { name: 'snapshot-status', args: ['snapshot', 'status', '{TMP}/snap.db'], mask: [SNAP_HASH] },
  { name: 'snapshot-status-json', args: ['snapshot', 'status', '{TMP}/snap.db', '-w', 'json'], mask: [SNAP_HASH] },
  { name: 'snapshot-status-missing', args: ['snapshot', 'status', '{TMP}/nosuch.db'] },
  { name: 'snapshot-save-no-args', args: ['snapshot', 'save'] },
  { name: 'snapshot-restore', args: ['snapshot', 'restore', '{TMP}/snap.db', '--data-dir', '{TMP}/restored', '--name', 'm1', '--initial-cluster', 'm1=http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380'] },
  { name: 'snapshot-restore-exists', args: ['snapshot', 'restore', '{TMP}/snap.db', '--data-dir', '{TMP}/restored'] },
  { name: 'snapshot-restore-missing', args: ['snapshot', 'restore', '{TMP}/nosuch.db', '--data-dir', '{TMP}/r2'] },
  { name: 'snapshot-restore-bad-name', args: ['snapshot', 'restore', '{TMP}/snap.db', '--data-dir', '{TMP}/r3', '--name', 'x', '--initial-cluster', 'm1=http://127.0.0.1:2380'] },
  // global flags and variables
  { name: 'env-write-out', args: ['get', 'foo'], env: { ETCDCTL_WRITE_OUT: 'fields' } },
  { name: 'env-hex', args: ['get', 'foo'], env: { ETCDCTL_HEX: 'true' } },
  { name: 'env-endpoints', args: ['get', 'foo', '--print-value-only'], env: { ETCDCTL_ENDPOINTS: '{EP}' }, noEndpoints: true },
  { name: 'flag-beats-env', args: ['get', 'foo', '-w', 'simple'], env: { ETCDCTL_WRITE_OUT: 'json' } },
  { name: 'env-api-3', args: ['get', 'foo'], env: { ETCDCTL_API: '3' } },
  { name: 'env-api-2', args: ['get', 'foo'], env: { ETCDCTL_API: '2' } },
  { name: 'endpoints-failover', args: ['--endpoints=127.0.0.1:9,{EP}', 'get', 'foo', '--print-value-only'], noEndpoints: true },
  { name: 'unreachable', args: ['--endpoints=127.0.0.1:9', '--dial-timeout=300ms', 'get', 'foo'], noEndpoints: true },
  { name: 'unknown-command', args: ['frobnicate'] },
  { name: 'unknown-flag', args: ['get', 'foo', '--nope'] },
  { name: 'bad-output-format', args: ['get', 'foo', '-w', 'yaml'] },
  { name: 'bad-dial-timeout', args: ['--dial-timeout=soon', 'get', 'foo'] },
  { name: 'bool-flag-false', args: ['get', 'a', '--prefix=false'] },
  { name: 'version', args: ['version'] },
];
