// The template language, the systemd quoting, and the checks that run after rendering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkConfigFile,
  checkStaticPod,
  checkSystemdUnit,
  memberUrls,
  parseGoDuration,
  quoteSystemdArgs,
  renderConfigFile,
  renderStaticPod,
  renderSystemdUnit,
  splitSystemdArgs,
} from '../../src/render';
import { fillTextTemplate, fillYamlTemplate } from '../../src/render/template';
import { memberInput } from './inputs';

test('YAML templates: whole placeholders take any value, inline ones take text', () => {
  const doc = fillYamlTemplate("a: '{{list}}'\nb: 'x-{{n}}-{{s}}'\nc: '{{s}}'\n", { list: ['p', 'q'], n: 3, s: "it's: {x}" });
  assert.deepEqual(doc, { a: ['p', 'q'], b: "x-3-it's: {x}", c: "it's: {x}" });
  assert.throws(() => fillYamlTemplate("a: '{{missing}}'\n", {}, 't.yaml'), /render: t\.yaml: no value for placeholder \{\{missing\}\}/);
  assert.throws(() => fillYamlTemplate("a: 'x{{list}}'\n", { list: [] }), /inside text needs a scalar value/);
  assert.throws(() => fillYamlTemplate('- a\n', {}), /must be a mapping/);
});

test('text templates refuse values that span lines', () => {
  assert.equal(fillTextTemplate('A={{a}}\n', { a: 'b c' }), 'A=b c\n');
  assert.throws(() => fillTextTemplate('A={{a}}\n', { a: 'b\nExecStartPre=/bin/evil' }, 'u'), /render: u: value of \{\{a\}\} must be a single line/);
});

test('systemd quoting survives spaces, quotes, backslashes, % and $', () => {
  const argv = ['/opt/my cairn/bin/cairn', '--config-file=/etc/cairn/a "b".yaml', 'back\\slash', '100%', '$HOME', 'plain'];
  const line = quoteSystemdArgs(argv);
  assert.equal(line, '"/opt/my cairn/bin/cairn" "--config-file=/etc/cairn/a \\"b\\".yaml" "back\\\\slash" "100%%" "$$HOME" plain');
  assert.deepEqual(splitSystemdArgs(line), argv);
  assert.throws(() => splitSystemdArgs('/bin/x 50%'), /unescaped %/);
});

test('a config path with a space renders a unit whose ExecStart parses back', () => {
  const text = renderSystemdUnit(memberInput({ configFile: '/etc/cairn dir/cairn.yaml' }));
  assert.deepEqual(checkSystemdUnit(text, ['/opt/cairn/bin/cairn', '--config-file=/etc/cairn dir/cairn.yaml']), []);
  assert.deepEqual(checkSystemdUnit('[Unit]\n[Service]\nExecStart=relative\n', ['relative']), [
    '[Install]: missing',
    'ExecStart: the executable must be an absolute path',
    'WantedBy: missing',
  ]);
});

test('config file check: unknown keys, wrong types, missing keys, cluster mismatch', () => {
  const good = renderConfigFile(memberInput());
  assert.deepEqual(checkConfigFile(good), []);
  assert.deepEqual(checkConfigFile(good + 'snapshot-countt: 5\n'), ['snapshot-countt: unknown key (etcd would ignore it)']);
  assert.deepEqual(checkConfigFile(good.replace('snapshot-count: 10000', "snapshot-count: '10000'")), ['snapshot-count: must be a non-negative integer']);
  assert.deepEqual(checkConfigFile(good.replace('  client-cert-auth: true\n', "  client-cert-auth: 'yes'\n")), [
    'client-transport-security.client-cert-auth: must be true or false',
  ]);
  assert.deepEqual(checkConfigFile(good.replace(/^name: .*\n/m, '')), ['name: required']);
  assert.deepEqual(checkConfigFile(good.replace('initial-cluster: cp-1=', 'initial-cluster: cp-9=')), [
    'initial-cluster: has no entry cp-1=<one of initial-advertise-peer-urls>',
  ]);
  assert.deepEqual(checkConfigFile(good.replace('advertise-client-urls: https://10.0.0.11:2379', 'advertise-client-urls: 10.0.0.11:2379')), [
    'advertise-client-urls: "10.0.0.11:2379" is not a URL with scheme and host:port',
  ]);
  assert.deepEqual(checkConfigFile('a: [\n'), [checkConfigFile('a: [\n')[0]]);
  assert.match(checkConfigFile('a: [\n')[0], /^not YAML: /);
});

test('extra flags: placed under their config-file keys, typed, or refused', () => {
  const text = renderConfigFile(memberInput({ extraArgs: { 'peer-auto-tls': 'false', 'log-outputs': 'stderr,/var/log/cairn.log', 'grpc-keepalive-timeout': '1m30s' } }));
  assert.match(text, /peer-transport-security:\n(  .*\n)*  auto-tls: false\n/);
  assert.match(text, /log-outputs:\n- stderr\n- \/var\/log\/cairn\.log\n/);
  assert.match(text, /grpc-keepalive-timeout: 90000000000\n/);
  assert.throws(() => renderConfigFile(memberInput({ extraArgs: { 'no-such-flag': 1 } })), /render: --no-such-flag is not an etcd 3\.4 server flag/);
  assert.throws(() => renderConfigFile(memberInput({ extraArgs: { 'snapshot-count': 'many' } })), /flag --snapshot-count: "many" is not a valid uint/);
  assert.throws(() => renderStaticPod(memberInput({ extraArgs: { 'pre-vote': 'maybe' } })), /flag --pre-vote: "maybe" is not a valid bool/);
});

test('static pod check: kubeadm shape, flags and volumes', () => {
  const good = renderStaticPod(memberInput());
  assert.deepEqual(checkStaticPod(good), []);
  assert.deepEqual(checkStaticPod(good.replace('priorityClassName: system-node-critical', 'priorityClassName: x')), [
    'spec.priorityClassName: is "x", expected "system-node-critical"',
  ]);
  assert.deepEqual(checkStaticPod(good.replace("'--snapshot-count=10000'", "'--snapshots=1'")), ['command: "--snapshots=1" is not an etcd 3.4 flag']);
  assert.deepEqual(checkStaticPod(good.replace('path: /livez', 'path: /health')), ['livenessProbe.httpGet.path: is "/health", expected "/livez"']);
  assert.deepEqual(checkStaticPod(good.replace('- mountPath: /var/lib/etcd', '- mountPath: /var/lib/other')), [
    'volumeMounts etcd-data: no hostPath volume at /var/lib/other',
  ]);
});

test('a --wal-dir outside the data dir is mounted into the pod; one inside it needs nothing more', () => {
  const separate = renderStaticPod(memberInput({ extraArgs: { 'wal-dir': '/mnt/wal-disk/etcd' } }));
  assert.deepEqual(checkStaticPod(separate), []);
  assert.match(separate, /- mountPath: \/mnt\/wal-disk\/etcd\n\s+name: etcd-wal/);
  assert.match(separate, /- hostPath:\n\s+path: \/mnt\/wal-disk\/etcd\n\s+type: DirectoryOrCreate\n\s+name: etcd-wal/);
  assert.deepEqual(checkStaticPod(separate.replace(/ *- mountPath: \/mnt\/wal-disk\/etcd\n\s+name: etcd-wal\n/, '')), ['--wal-dir /mnt/wal-disk/etcd is not mounted']);
  const inside = renderStaticPod(memberInput({ extraArgs: { 'wal-dir': '/var/lib/etcd/wal' } }));
  assert.deepEqual(checkStaticPod(inside), []);
  assert.doesNotMatch(inside, /etcd-wal/);
});

test('probes follow an overridden metrics URL, as kubeadm does', () => {
  const text = renderStaticPod(memberInput({ extraArgs: { 'listen-metrics-urls': 'https://127.0.0.2:9381' } }));
  assert.match(text, /host: 127\.0\.0\.2\n\s+path: \/livez\n\s+port: 9381\n\s+scheme: HTTPS/);
});

test('URLs: a member advertised on localhost listens once; the member must be in its cluster', () => {
  assert.equal(memberUrls(memberInput({ advertiseAddress: '127.0.0.1' })).listenClientUrls, 'https://127.0.0.1:2379');
  assert.throws(() => memberUrls(memberInput({ advertiseAddress: 'cp-1.example' })), /advertise address "cp-1\.example" of cp-1 is not an IP address/);
  assert.throws(
    () => memberUrls(memberInput({ initialCluster: [{ name: 'cp-2', peerUrl: 'https://10.0.0.12:2380' }] })),
    /initial cluster does not contain this member cp-1=https:\/\/10\.0\.0\.11:2380/,
  );
});

test('Go durations', () => {
  assert.equal(parseGoDuration('5s'), 5e9);
  assert.equal(parseGoDuration('1h30m'), 5400e9);
  assert.equal(parseGoDuration('1.5ms'), 1.5e6);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('5'), undefined);
  assert.equal(parseGoDuration('5d'), undefined);
});
