import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from './errors.js';

/**
 * Ed25519 keys as fieldclass uses them everywhere (appliance keys for progress bundles, HQ content keys
 * for course bundles), with Node's own crypto. A key's id is the first 16 hex digits of SHA-256 over the
 * raw 32-byte public key. Every signature is over `<domain prefix> + <exact bytes>`, so a signature made
 * for one purpose can never be replayed for another.
 */

/** A fresh key pair as PEM (PKCS#8 private, SPKI public). */
export function generateKeyPairPem(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** A public key from SPKI PEM or base64 of the raw 32 bytes; refused with `errorCode` otherwise. */
export function parsePublicKey(text: string | KeyObject, errorCode: string): KeyObject {
  if (typeof text !== 'string') return text;
  const t = text.trim();
  try {
    const key = t.startsWith('-----BEGIN')
      ? createPublicKey(t)
      : createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(t, 'base64').toString('base64url') },
          format: 'jwk',
        });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (e) {
    throw new AppError(errorCode, `not an Ed25519 public key: ${(e as Error).message}`);
  }
}

/** A private key from a PEM file; refused with `errorCode` when it is not an Ed25519 key. */
export function loadPrivateKey(path: string, errorCode: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AppError(errorCode, `${path}: not a private key (${(e as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AppError(errorCode, `${path}: an ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}

/** The raw 32 bytes of a public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
}

export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, 16);
}

/** `prefix` (the domain) followed by the exact signed bytes. */
export function domainMessage(prefix: string, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'utf8'), bytes]);
}

/** Base64 of the 64-byte signature over `prefix + bytes`. */
export function signWithDomain(prefix: string, bytes: Buffer, privateKey: KeyObject | string): string {
  return cryptoSign(null, domainMessage(prefix, bytes), privateKey).toString('base64');
}

export function verifyWithDomain(
  prefix: string,
  bytes: Buffer,
  signature: Buffer,
  publicKey: KeyObject,
): boolean {
  return cryptoVerify(null, domainMessage(prefix, bytes), publicKey, signature);
}
