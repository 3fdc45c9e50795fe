// go-grpc-prometheus's server counters (grpc_server_started_total, _msg_received_total, _msg_sent_total,
// _handled_total), kept per method as plain numbers (a message costs one increment, no label hashing)
// and read when /metrics is scraped. Every method is listed from the start with 0, and
// _handled_total with every code, as etcd lists them. With --metrics extensive, as etcd, also its
// handling-time histogram (grpc_server_handling_seconds), observed when a call or stream ends.
import { performance } from 'node:perf_hooks';
import type { status as Status } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';

export type GrpcType = 'unary' | 'server_stream' | 'bidi_stream';

/** The gRPC codes by number, as Go's codes.Code.String() names them (go-grpc-prometheus's grpc_code). */
const goCodeNames = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable',
  'DataLoss', 'Unauthenticated',
];

interface MethodLabels {
  grpc_method: string;
  grpc_service: string;
  grpc_type: GrpcType;
}

/** go-grpc-prometheus's handling-time buckets (Prometheus's DefBuckets), in seconds. */
const handlingBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One method's counts. */
export class MethodCounts {
  started = 0;
  received = 0;
  sent = 0;
  /** by gRPC code */
  readonly handled: number[] = goCodeNames.map(() => 0);

  constructor(
    readonly labels: MethodLabels,
    private readonly handlingTime?: Histogram<keyof MethodLabels>,
  ) {}

  /** A call starts: returns what handle() takes when it ends (its start in ms; 0 when not timed). */
  start(): number {
    this.started++;
    return this.handlingTime === undefined ? 0 : performance.now();
  }

  /** The call that start() answered `startedAt` for ended with this code. */
  handle(code: Status, startedAt: number): void {
    this.handled[code]++;
    this.handlingTime?.observe(this.labels, (performance.now() - startedAt) / 1000);
  }
}

export class GrpcServerMetrics {
  private readonly methods: MethodCounts[] = [];
  /** protobuf bytes of the messages decoded from clients (etcd_network_client_grpc_received_bytes_total) */
  receivedBytes = 0;
  /** protobuf bytes of the messages encoded for clients (etcd_network_client_grpc_sent_bytes_total) */
  sentBytes = 0;

  private readonly handlingTime: Histogram<keyof MethodLabels> | undefined;

  constructor(registers: Registry[], handlingTime: boolean) {
    const methods = this.methods;
    this.handlingTime = handlingTime
      ? new Histogram({
        name: 'grpc_server_handling_seconds', help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.',
        labelNames: ['grpc_type', 'grpc_service', 'grpc_method'], buckets: handlingBuckets, registers,
      })
      : undefined;
    const total = (name: string, help: string, read: () => number): void => {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
    };
    total('etcd_network_client_grpc_sent_bytes_total', 'The total number of bytes sent to grpc clients.', () => this.sentBytes);
    total('etcd_network_client_grpc_received_bytes_total', 'The total number of bytes received from grpc clients.', () => this.receivedBytes);
    const perMethod = (name: string, help: string, read: (m: MethodCounts) => number): void => {
      new Counter({
        name, help, labelNames: ['grpc_type', 'grpc_service', 'grpc_method'], registers,
        collect() {
          this.reset();
          for (const m of methods) this.inc(m.labels, read(m));
        },
      });
    };
    perMethod('grpc_server_started_total', 'Total number of RPCs started on the server.', (m) => m.started);
    perMethod('grpc_server_msg_received_total', 'Total number of RPC stream messages received on the server.', (m) => m.received);
    perMethod('grpc_server_msg_sent_total', 'Total number of gRPC stream messages sent by the server.', (m) => m.sent);
    new Counter({
      name: 'grpc_server_handled_total', help: 'Total number of RPCs completed on the server, regardless of success or failure.',
      labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'], registers,
      collect() {
        this.reset();
        for (const m of methods) {
          for (const [code, n] of m.handled.entries()) this.inc({ grpc_code: goCodeNames[code], ...m.labels }, n);
        }
      },
    });
  }

  /** The counts of one method; call once per method, when its handler is built. */
  method(service: string, method: string, type: GrpcType): MethodCounts {
    const counts = new MethodCounts({ grpc_method: method, grpc_service: service, grpc_type: type }, this.handlingTime);
    this.handlingTime?.zero(counts.labels);
    this.methods.push(counts);
    return counts;
  }
}
