// The data and text of `kubeadm certs check-expiration`, for our certificate list.
import { CERT_LIST, ETCD_CA } from './cert-list';
import { PkiFiles, certPath, keyPath } from './files';
import { readCertificate } from './read';

export interface ExpirationRow {
  name: string;
  path: string;
  /** Absent when the file does not exist. */
  expires?: Date;
  residualMs?: number;
  /** The signing CA's name; absent for a CA. */
  ca?: string;
  /** cairnadm holds no CA key for it, so it cannot renew it (kubeadm's "externally managed"). */
  externallyManaged: boolean;
}

export interface ExpirationReport {
  certificates: ExpirationRow[];
  authorities: ExpirationRow[];
}

/** Reads every certificate of the table under the certificates dir. */
export async function checkExpiration(files: PkiFiles, options: { certificatesDir: string; clock?: () => Date }): Promise<ExpirationReport> {
  const now = (options.clock ?? (() => new Date()))().getTime();
  const caKeyPresent = (await files.read(keyPath(options.certificatesDir, ETCD_CA.baseName))) !== undefined;
  const report: ExpirationReport = { certificates: [], authorities: [] };
  for (const spec of CERT_LIST) {
    const file = certPath(options.certificatesDir, spec.baseName);
    const pem = await files.read(file);
    const cert = pem === undefined ? undefined : readCertificate(pem, file);
    const row: ExpirationRow = {
      name: spec.name,
      path: file,
      expires: cert?.notAfter,
      residualMs: cert ? cert.notAfter.getTime() - now : undefined,
      ca: spec.caName,
      externallyManaged: !caKeyPresent,
    };
    (spec.caName ? report.certificates : report.authorities).push(row);
  }
  return report;
}

/** k8s.io/apimachinery's ShortHumanDuration, which kubeadm prints as the residual time. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's "Jan 02, 2006 15:04 MST" in UTC. */
export function formatExpiry(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/** Columns as Go's tabwriter with kubeadm's settings (min width 10, padding 3). */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(10, ...rows.map((r) => r[i].length + 3)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('').trimEnd() + '\n').join('');
}

const managed = (r: ExpirationRow): string => (r.externallyManaged ? 'yes' : 'no');

/** The two tables kubeadm prints, certificates then authorities, with missing files flagged. */
export function formatExpiration(report: ExpirationReport): string {
  const certRows = report.certificates.map((r) =>
    r.expires ? [r.name, formatExpiry(r.expires), shortHumanDuration(r.residualMs ?? 0), r.ca ?? '', managed(r)] : [`!MISSING! ${r.name}`, '', '', '', ''],
  );
  const caRows = report.authorities.map((r) =>
    r.expires ? [r.name, formatExpiry(r.expires), shortHumanDuration(r.residualMs ?? 0), managed(r)] : [`!MISSING! ${r.name}`, '', '', ''],
  );
  return (
    table([['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED'], ...certRows]) +
    '\n' +
    table([['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED'], ...caRows])
  );
}
