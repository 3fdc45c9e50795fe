// Subject alternative names: sorting extra SANs into DNS names and IP addresses, and removing
// duplicates the way kubeadm does (DNS names sorted and unique, IPs unique in first-seen order).
import { ipToBytes, ipFromBytes } from './ip';
import { PkiError } from './errors';

export interface AltNames {
  dnsNames: string[];
  ipAddresses: string[];
}

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const WILDCARD_SUBDOMAIN = new RegExp(`^\\*\\.${LABEL}(\\.${LABEL})*$`);

/** True for a lowercase RFC 1123 subdomain of at most 253 characters (what Kubernetes accepts). */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_1123_SUBDOMAIN.test(name);
}

/**
 * Adds SANs given as text. kubeadm only warns about an entry that is neither an IP nor a DNS
 * name and leaves it out; we refuse it, so a typo cannot produce a certificate that fails later.
 */
export function appendSans(names: AltNames, sans: readonly string[], certName: string): AltNames {
  const out = { dnsNames: [...names.dnsNames], ipAddresses: [...names.ipAddresses] };
  for (const san of sans) {
    if (ipToBytes(san)) out.ipAddresses.push(san);
    else if (isDnsSubdomain(san) || (san.length <= 253 && WILDCARD_SUBDOMAIN.test(san))) out.dnsNames.push(san);
    else throw new PkiError(`${JSON.stringify(san)} is neither an IP address nor a DNS name; it cannot be a SAN of ${certName}`);
  }
  return out;
}

/** Canonical text of an IP address, so "::1" and "0:0::1" compare equal. */
export function canonicalIp(ip: string): string {
  const bytes = ipToBytes(ip);
  return bytes ? ipFromBytes(bytes) : ip;
}

export function dedupeAltNames(names: AltNames): AltNames {
  const dnsNames = [...new Set(names.dnsNames)].sort();
  const seen = new Set<string>();
  const ipAddresses: string[] = [];
  for (const ip of names.ipAddresses) {
    const key = canonicalIp(ip);
    if (!seen.has(key)) {
      seen.add(key);
      ipAddresses.push(key);
    }
  }
  return { dnsNames, ipAddresses };
}
