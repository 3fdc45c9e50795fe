import { generateKeyPairSync, KeyObject, createPrivateKey } from 'node:crypto';
import { PkiError } from './errors';

/** The key algorithms cairnadm offers; rsa-2048 is kubeadm's default. */
export const KEY_ALGORITHMS = ['rsa-2048', 'rsa-3072', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'rsa-2048';

/** Makes a new private key. Injected so tests can serve pre-generated keys. */
export type KeyGenerator = (algorithm: KeyAlgorithm) => KeyObject;

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && (KEY_ALGORITHMS as readonly string[]).includes(value);
}

/** The default generator: node's native crypto (node-forge's pure-JS RSA generation is slow). */
export const generatePrivateKey: KeyGenerator = (algorithm) => {
  switch (algorithm) {
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096':
      return generateKeyPairSync('rsa', { modulusLength: Number(algorithm.slice(4)) }).privateKey;
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
  }
};

/** Which of our algorithms a key is, or undefined for any other kind of key. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    const name = `rsa-${details?.modulusLength}`;
    return isKeyAlgorithm(name) ? name : undefined;
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve === 'prime256v1') return 'ecdsa-p256';
    if (details?.namedCurve === 'secp384r1') return 'ecdsa-p384';
  }
  return undefined;
}

/**
 * PEM of a private key in the block types Go's keyutil writes (and kubeadm therefore leaves on
 * disk): PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY".
 */
export function privateKeyToPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1';
  return key.export({ type, format: 'pem' }).toString();
}

/** Parses a PEM private key (PKCS#1, SEC1 or PKCS#8); only RSA and ECDSA keys are accepted. */
export function parsePrivateKey(pem: string, file?: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new PkiError(`${file ?? 'private key'}: not a PEM private key`, file);
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    throw new PkiError(`${file ?? 'private key'}: neither an RSA nor an ECDSA key`, file);
  }
  return key;
}
