// A cairn server core in its own process, for crash tests: serves the data dir given as argv[2] and
// prints `PORT <n>` once it listens. Crash points come from CAIRN_FAILPOINT in its environment.
import { EtcdServer } from '../../src/server';
import { serve } from './harness';

async function main(): Promise<void> {
  const server = await EtcdServer.open({
    name: 'default',
    dataDir: process.argv[2],
    advertiseClientUrls: ['http://localhost:2379'],
    initialAdvertisePeerUrls: ['http://localhost:2380'],
  });
  const { port } = await serve(server);
  process.stdout.write(`PORT ${port}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`child server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
