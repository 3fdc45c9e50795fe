// Preflight parsing and reporting: /proc/net/tcp addresses, port clashes, and the kubeadm-style
// report where ignored checks become warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirCheckName, formatPreflight, parseFacts, parseProcAddress, portClashes } from '../../src/adm';

test('/proc/net/tcp addresses decode to IP and port', () => {
  assert.deepEqual(parseProcAddress('0100007F:094B'), { address: '127.0.0.1', port: 2379 });
  assert.deepEqual(parseProcAddress('00000000:0016'), { address: '0.0.0.0', port: 22 });
  assert.deepEqual(parseProcAddress('00000000000000000000000001000000:094C'), { address: '0:0:0:0:0:0:0:1', port: 2380 });
});

test('a port clashes on a wildcard, loopback or the advertise address, not on another address', () => {
  const facts = parseFacts('uname=Linux x86_64\nnow=1000000000\ndfk=999999\nlisten=0100007F:094B\nlisten=0B00007F:094C\nlisten=00000000:094D\nlisten=0C00007F:094C\n', 0, 10);
  assert.equal(facts.platform, 'Linux x86_64');
  assert.equal(facts.dataDirEntries, undefined);
  const host = { name: 'cp-1', address: '127.0.0.11', port: 22, user: 'root', knownHostsFile: '', advertiseAddress: '127.0.0.11', ports: { client: 2379, peer: 2380, metrics: 2381 } };
  assert.deepEqual(portClashes(facts, host), [
    { address: '127.0.0.1', port: 2379 },
    { address: '127.0.0.11', port: 2380 },
    { address: '0.0.0.0', port: 2381 },
  ]);
});

test('ignored checks are reported as warnings; the rest as errors naming check and host', () => {
  const results = [
    { check: 'Port-2379', host: 'cp-1', level: 'error' as const, message: 'port 2379 is in use' },
    { check: dirCheckName('/var/lib/etcd'), host: 'cp-2', level: 'error' as const, message: 'not empty' },
  ];
  assert.equal(dirCheckName('/var/lib/etcd'), 'DirAvailable--var-lib-etcd');
  assert.deepEqual(formatPreflight(results, ['port-2379']), {
    warnings: ['[WARNING Port-2379] cp-1: port 2379 is in use'],
    errors: ['[ERROR DirAvailable--var-lib-etcd] cp-2: not empty'],
  });
  assert.equal(formatPreflight(results, ['all']).errors.length, 0);
});
