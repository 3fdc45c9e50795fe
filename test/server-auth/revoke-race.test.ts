// A permission revoked while a write checked under it is still on its way through the log: apply
// checks the write again as its user (etcd's auth applier), so it is refused and nothing is written.
// The client, as clientv3, asks again with a new token after "revision of auth store is old", and is
// then refused outright.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authpb, etcdserverpb } from '../../src/api';
import { EtcdClient } from '../../src/client';
import { removeDir, startCore, tempDataDir } from '../server-core/harness';

test('a write checked before its permission was revoked, and applied after, is refused', async () => {
  const dir = tempDataDir();
  const cairn = await startCore(dir);
  const admin = new EtcdClient({ endpoints: cairn.endpoint });
  const { AuthService: Auth, KVService: KV } = etcdserverpb;
  try {
    await admin.unary(Auth.userAdd, etcdserverpb.AuthUserAddRequest.fromPartial({ name: 'root', password: 'rootpw' }));
    await admin.unary(Auth.userGrantRole, { user: 'root', role: 'root' });
    await admin.unary(Auth.roleAdd, { name: 'app' });
    await admin.unary(Auth.userAdd, etcdserverpb.AuthUserAddRequest.fromPartial({ name: 'bob', password: 'bobpw' }));
    await admin.unary(Auth.userGrantRole, { user: 'bob', role: 'app' });
    await admin.unary(Auth.authEnable, {});
    const root = new EtcdClient({ endpoints: cairn.endpoint, user: 'root', password: 'rootpw' });
    const bob = new EtcdClient({ endpoints: cairn.endpoint, user: 'bob', password: 'bobpw' });
    try {
      const put = (value: string) => bob.unary(KV.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.from('/app/k'), value: Buffer.from(value) }));
      const grant = () => root.unary(Auth.roleGrantPermission, { name: 'app', perm: { key: Buffer.from('/app/'), rangeEnd: Buffer.from('/app0'), permType: authpb.Permission_Type.READWRITE } });
      const revoke = () => root.unary(Auth.roleRevokePermission, { role: 'app', key: Buffer.from('/app/'), rangeEnd: Buffer.from('/app0') });
      for (let round = 0; round < 5; round++) {
        await grant();
        await put(`allowed ${round}`);
        // Sent together: the put is checked while bob may still write, and mostly proposed after the
        // revoke. Whichever the log's order, a put that took effect was applied before the revoke: its
        // revision is at most the store's revision when the revoke was applied.
        const [revoked, late] = await Promise.allSettled([revoke(), put(`late ${round}`)]);
        assert.equal(revoked.status, 'fulfilled');
        const revokedAt = (revoked as PromiseFulfilledResult<etcdserverpb.AuthRoleRevokePermissionResponse>).value.header?.revision ?? 0n;
        if (late.status === 'fulfilled') {
          assert.ok((late.value.header?.revision ?? 0n) <= revokedAt, `round ${round}: a put applied after the revoke took effect`);
        } else {
          assert.equal(late.reason.message, 'etcdserver: permission denied', `round ${round}`);
          const got = await root.unary(KV.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from('/app/k') }));
          assert.equal(Buffer.from(got.kvs[0].value).toString(), `allowed ${round}`, `round ${round}: nothing written`);
        }
      }
    } finally {
      root.close();
      bob.close();
    }
  } finally {
    admin.close();
    await cairn.stop();
    removeDir(dir);
  }
});
