// The certificate a running member presents, as a client sees it in the TLS handshake.
import { execFileSync } from 'node:child_process';

/** Serial and NotAfter of the certificate the member at `endpoint` presents (openssl s_client); `creds` holds ca.crt and healthcheck-client.{crt,key}. */
export function servedCertificate(creds: string, endpoint: string): { serial: string; notAfter: Date } {
  const { host } = new URL(endpoint);
  const text = execFileSync('sh', ['-c', `openssl s_client -connect ${host} -alpn h2 -CAfile ${creds}/ca.crt -cert ${creds}/healthcheck-client.crt -key ${creds}/healthcheck-client.key </dev/null 2>/dev/null | openssl x509 -noout -serial -enddate`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { serial: /serial=(\w+)/.exec(text)![1], notAfter: new Date(/notAfter=(.+)/.exec(text)![1]) };
}
