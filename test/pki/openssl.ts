// The real openssl as the judge of our certificates.
import { execFileSync, spawnSync } from 'node:child_process';

/** `openssl verify -CAfile ca cert`; returns its output, throws with it when verification fails. */
export function opensslVerify(caFile: string, certFile: string, purpose?: 'sslserver' | 'sslclient', at?: Date): string {
  const args = ['verify', '-CAfile', caFile, ...(purpose ? ['-purpose', purpose] : []), ...(at ? ['-attime', String(Math.floor(at.getTime() / 1000))] : []), certFile];
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 20_000 });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`openssl verify failed: ${out}`);
  return out;
}

/** `openssl x509 -text -noout` of a certificate file. */
export function opensslText(certFile: string): string {
  return execFileSync('openssl', ['x509', '-in', certFile, '-text', '-noout'], { encoding: 'utf8', timeout: 20_000 });
}

/** One line's value after a label in openssl's text, e.g. field(text, 'Subject:'). */
export function field(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.trim().startsWith(label));
  if (!line) throw new Error(`no ${label} in openssl output`);
  return line.trim().slice(label.length).trim();
}

/** The line following a heading such as 'X509v3 Subject Alternative Name:'. */
export function extension(text: string, heading: string): { critical: boolean; value: string } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim().startsWith(heading));
  if (i < 0) throw new Error(`no ${heading} in openssl output`);
  return { critical: lines[i].includes('critical'), value: lines[i + 1].trim() };
}
