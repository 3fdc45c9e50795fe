// The load generator: spreads clients and connections over worker threads so that the client side
// is not the bottleneck, then merges their latency histograms.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import type { WorkerResult, WorkerTask } from './worker';
import type { WorkloadName, WorkloadParams } from './workloads';

export interface LoadSpec {
  readonly targets: readonly string[];
  readonly workload: WorkloadName;
  readonly params: WorkloadParams;
  readonly clients: number;
  readonly connections: number;
  readonly operations: number;
  /** Hard bound on the run's length. */
  readonly maxSeconds: number;
  readonly threads: number;
  readonly seed?: number;
}

export interface LoadResult {
  readonly workload: WorkloadName;
  readonly done: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly seconds: number;
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const threads = Math.max(1, Math.min(spec.threads, spec.clients));
  const deadline = Date.now() + spec.maxSeconds * 1000;
  const script = join(__dirname, `worker${__filename.endsWith('.ts') ? '.ts' : '.js'}`);
  const results = await Promise.all(Array.from({ length: threads }, (_, i) => new Promise<WorkerResult>((resolve, reject) => {
    const task: WorkerTask = {
      targets: spec.targets,
      workload: spec.workload,
      params: spec.params,
      clients: share(spec.clients, threads, i),
      connections: Math.max(1, share(spec.connections, threads, i)),
      operations: share(spec.operations, threads, i),
      // Threads number their operations apart so that sequential keys are distinct across threads.
      firstOperation: Array.from({ length: i }, (_, j) => share(spec.operations, threads, j)).reduce((a, b) => a + b, 0),
      deadline,
      seed: (spec.seed ?? 1) * 7919 + i,
    };
    // Under tsx (while developing) the worker registers tsx itself; compiled runs load the .js directly.
    const worker = script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData: task })
      : new Worker(script, { workerData: task });
    worker.once('message', (m: WorkerResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
    worker.once('error', reject);
  })));
  const merged = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  for (const r of results) merged.add(hdr.decodeFromCompressedBase64(r.histogram));
  const done = results.reduce((s, r) => s + r.done, 0);
  const seconds = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  return {
    workload: spec.workload,
    done,
    errors: results.reduce((s, r) => s + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    seconds,
    opsPerSecond: done / seconds,
    // No operation completed: there is no latency to report (the table shows n/a).
    p50Ms: done > 0 ? merged.getValueAtPercentile(50) / 1000 : NaN,
    p90Ms: done > 0 ? merged.getValueAtPercentile(90) / 1000 : NaN,
    p99Ms: done > 0 ? merged.getValueAtPercentile(99) / 1000 : NaN,
  };
}
