// grpc-js always passes the target host as the TLS server name, and Node warns (DEP0123) when that
// host is an IP address, as it is for etcd endpoints like https://127.0.0.1:2379. The connection is
// verified against the IP all the same; the warning only confuses users, so the CLIs drop it.
const emitWarning = process.emitWarning.bind(process);

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
  if (code === 'DEP0123') return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
