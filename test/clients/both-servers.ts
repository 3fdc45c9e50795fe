// A real etcd 3.4 and a cairn process side by side on loopback, both stopped when the test ends.
import type { TestContext } from 'node:test';
import { startCairn } from '../cli/cairn-process';
import { freePorts } from '../support/ports';
import { startRealEtcd } from '../support/real-etcd';

/** The client URLs of a fresh real etcd and a fresh single-member cairn. */
export async function startBothServers(t: TestContext): Promise<{ etcd: string; cairn: string }> {
  const etcd = await startRealEtcd();
  t.after(() => etcd.stop());
  const ports = await freePorts(2);
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const cairn = await startCairn({
    args: ['--listen-client-urls', url(ports[0]), '--advertise-client-urls', url(ports[0]), '--listen-peer-urls', url(ports[1]), '--initial-advertise-peer-urls', url(ports[1]), '--initial-cluster', `default=${url(ports[1])}`],
  });
  t.after(async () => {
    await cairn.stop();
    cairn.cleanup();
  });
  return { etcd: etcd.endpoint, cairn: url(ports[0]) };
}
