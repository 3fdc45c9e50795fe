"""One scenario of the python etcd3 client (Debian's python3-etcd3); prints what it saw, a line per step.

Run as `python3 python_etcd3_scenario.py HOST PORT`; the test runs it against etcd 3.4 and against
cairn and compares the lines. Revisions are printed relative to the scenario's first put.
"""
import sys
import threading

import etcd3
import grpc


def error_of(step):
    try:
        step()
        return 'no error'
    except grpc.RpcError as err:
        return '%s %s: %s' % (type(err).__name__, err.code().name, err.details())
    except Exception as err:  # the client's own exception classes
        return '%s: %s' % (type(err).__name__, err)


def main(host, port):
    client = etcd3.client(host=host, port=int(port), timeout=10)
    seen = []
    base = client.put('foo', 'bar').header.revision
    value, meta = client.get('foo')
    seen.append('get %s create %d mod %d version %d' % (value.decode(), meta.create_revision - base, meta.mod_revision - base, meta.version))
    seen.append('missing %r' % (client.get('nope')[0],))
    for key in ('dir/a', 'dir/b', 'dir/c', 'dis'):
        client.put(key, key.upper())
    seen.append('prefix %s' % [(m.key.decode(), v.decode()) for v, m in client.get_prefix('dir/')])
    seen.append('descending %s' % [m.key.decode() for v, m in client.get_prefix('di', sort_order='descend', sort_target='key')])
    seen.append('range %s' % [m.key.decode() for v, m in client.get_range('dir/b', 'dis')])
    seen.append('put prev %s' % client.put('dir/b', 'B2', prev_kv=True).prev_kv.value.decode())
    seen.append('delete prefix deleted %d' % client.delete_prefix('dir/').deleted)
    seen.append('delete missing %s' % client.delete('dir/a'))

    ok, responses = client.transaction(
        compare=[client.transactions.value('foo') == 'bar'],
        success=[client.transactions.put('foo', 'baz')],
        failure=[client.transactions.get('foo')])
    seen.append('txn %s now %s' % (ok, client.get('foo')[0].decode()))
    ok, responses = client.transaction(
        compare=[client.transactions.version('foo') > 5],
        success=[client.transactions.put('foo', 'no')],
        failure=[client.transactions.get('foo')])
    seen.append('txn %s else read %s' % (ok, [v.decode() for v, m in responses[0]]))
    seen.append('replace %s %s' % (client.replace('foo', 'baz', 'qux'), client.replace('foo', 'baz', 'again')))

    events, cancel = client.watch('w')
    got = []
    reader = threading.Thread(target=lambda: [got.append(e) for e, _ in zip(events, range(2))])
    reader.start()
    client.put('w', 'x')
    client.delete('w')
    reader.join(10)
    cancel()
    seen.append('watch %s' % ['%s %s' % (type(e).__name__, e.value.decode() if e.value else e.key.decode()) for e in got])

    lease = client.lease(30)
    client.put('leased', 'v', lease=lease)
    refreshed = list(lease.refresh())
    seen.append('lease refresh ttl %d value %s keys %s' % (refreshed[0].TTL, client.get('leased')[0].decode(), [k.decode() for k in lease.keys]))
    lease.revoke()
    seen.append('after revoke %r' % (client.get('leased')[0],))
    seen.append('put on a revoked lease: %s' % error_of(lambda: client.put('x', 'y', lease=lease.id)))

    # (a second, waiting acquire is left out: Debian's tenacity no longer fits this client's retry loop)
    lock = client.lock('mylock', ttl=10)
    seen.append('lock acquired %s is_acquired %s key %s' % (lock.acquire(timeout=5), lock.is_acquired(), client.get('/locks/mylock')[1].key.decode()))
    seen.append('released %s, is_acquired %s, key %r' % (lock.release(), lock.is_acquired(), client.get('/locks/mylock')[0]))
    with client.lock('mylock', ttl=10) as held:
        seen.append('with lock: is_acquired %s' % held.is_acquired())

    compact_at = client.put('c', '1').header.revision
    client.put('c', '2')
    client.compact(compact_at, physical=True)
    seen.append('compacted watch: %s' % error_of(lambda: next(client.watch('c', start_revision=compact_at - 1)[0])))
    seen.append('oversize: %s' % error_of(lambda: client.put('big', b'x' * (2 * 1024 * 1024))))
    seen.append('members %d' % len(list(client.members)))
    client.close()
    print('\n'.join(seen))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
