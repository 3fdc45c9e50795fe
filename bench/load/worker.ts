// One load-generator thread: `clients` concurrent loops over `connections` gRPC channels, each loop
// running its operation until the thread's share of operations is done or the deadline passes.
import { parentPort, workerData } from 'node:worker_threads';
import { Client, credentials } from '@grpc/grpc-js';
import * as hdr from 'hdr-histogram-js';
import { prepare, type PreparedWorkload, type WorkloadName, type WorkloadParams } from './workloads';

export interface WorkerTask {
  readonly targets: readonly string[];
  readonly workload: WorkloadName;
  readonly params: WorkloadParams;
  readonly clients: number;
  readonly connections: number;
  readonly operations: number;
  /** The number of this thread's first operation (threads count from different starts). */
  readonly firstOperation: number;
  readonly deadline: number;
  readonly seed: number;
}

export interface WorkerResult {
  readonly done: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly elapsedMs: number;
  /** Latencies in microseconds, HDR histogram in compressed base64. */
  readonly histogram: string;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How long past the run's deadline an operation may still take before it counts as an error. */
const OP_GRACE_MS = 5000;

// An operation that never completes (a lost watch event, a keepalive stream that died) must not
// keep the run going past its bound.
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`bench: operation took longer than ${ms} ms`)), ms); });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

async function run(task: WorkerTask): Promise<WorkerResult> {
  const random = mulberry32(task.seed);
  const channels = Array.from({ length: task.connections }, (_, i) =>
    new Client(task.targets[i % task.targets.length], credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const prepared: PreparedWorkload[] = [];
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  // Setting a client up (a watch created, a lease granted) is bounded by the run's deadline too.
  for (let c = 0; c < task.clients && Date.now() < task.deadline; c++) {
    try {
      prepared.push(await withTimeout(prepare(task.workload, channels[c % channels.length], task.params, random), Math.max(1000, task.deadline - Date.now())));
    } catch (err) {
      errors++;
      firstError ??= `setup: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  const start = process.hrtime.bigint();
  await Promise.all(prepared.map(async (w) => {
    while (issued < task.operations && Date.now() < task.deadline) {
      const n = task.firstOperation + issued++;
      const t0 = process.hrtime.bigint();
      try {
        await withTimeout(w.op(n), Math.max(1000, task.deadline - Date.now() + OP_GRACE_MS));
        histogram.recordValue(Math.max(1, Number((process.hrtime.bigint() - t0) / 1000n)));
        done++;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  }));
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  for (const w of prepared) w.close();
  for (const ch of channels) ch.close();
  return { done, errors, firstError, elapsedMs, histogram: hdr.encodeIntoCompressedBase64(histogram) };
}

if (parentPort) {
  run(workerData as WorkerTask).then((result) => parentPort?.postMessage(result), (err) => parentPort?.postMessage({ error: String(err) }));
}
