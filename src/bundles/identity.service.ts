import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { bundlesError } from './bundles.errors.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { generateApplianceKeyPair, keyIdOf, publicKeyPem } from '../contract/bundle-format.js';

/** What `identity show` prints and HQ enrols. */
export interface ApplianceIdentity {
  applianceId: string;
  keyId: string;
  /** SPKI PEM. */
  publicKey: string;
}

/** `identity request`: an enrolment request for HQ (`hq appliance enrol <file>`). */
export interface EnrolmentRequest extends ApplianceIdentity {
  name: string;
  location: string;
  createdAt: string;
}

/**
 * The appliance's signing identity: its id (records meta) and its Ed25519 key pair under
 * `<dataDir>/keys/` (private key PKCS#8 PEM, mode 0600, written atomically; it never leaves the box).
 */
export class IdentityService {
  readonly keysDir: string;
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  private cached: { privateKey: KeyObject; publicKeyPem: string; keyId: string } | undefined;

  constructor(
    private readonly config: Config,
    private readonly applianceIdOf: () => string,
    private readonly clock: Clock,
  ) {
    this.keysDir = join(config.dataDir, 'keys');
    this.privateKeyPath = join(this.keysDir, 'appliance.key');
    this.publicKeyPath = join(this.keysDir, 'appliance.pub');
  }

  /** Make the key pair if there is none (first start, `identity init`); idempotent. Returns true if made. */
  ensure(): boolean {
    if (existsSync(this.privateKeyPath)) {
      if (!existsSync(this.publicKeyPath))
        this.writePublic(publicKeyPem(createPublicKey(this.loadPrivate())));
      return false;
    }
    mkdirSync(this.keysDir, { recursive: true, mode: 0o700 });
    chmodSync(this.keysDir, 0o700);
    const pair = generateApplianceKeyPair();
    writeFileAtomic(this.privateKeyPath, pair.privateKeyPem, 0o600);
    this.writePublic(pair.publicKeyPem);
    this.cached = undefined;
    return true;
  }

  private writePublic(pem: string): void {
    writeFileAtomic(this.publicKeyPath, pem, 0o644);
  }

  private loadPrivate(): KeyObject {
    let text: string;
    try {
      text = readFileSync(this.privateKeyPath, 'utf8');
    } catch (e) {
      throw bundlesError('identity_missing', { file: this.privateKeyPath, detail: (e as Error).message });
    }
    try {
      const key = createPrivateKey(text);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
      return key;
    } catch (e) {
      throw bundlesError('identity_invalid', { file: this.privateKeyPath, detail: (e as Error).message });
    }
  }

  private keys(): { privateKey: KeyObject; publicKeyPem: string; keyId: string } {
    if (!this.cached) {
      const privateKey = this.loadPrivate();
      const pub = createPublicKey(privateKey);
      this.cached = { privateKey, publicKeyPem: publicKeyPem(pub), keyId: keyIdOf(pub) };
    }
    return this.cached;
  }

  /** The private key, for signing bundles. */
  privateKey(): KeyObject {
    return this.keys().privateKey;
  }

  show(): ApplianceIdentity {
    const k = this.keys();
    return { applianceId: this.applianceIdOf(), keyId: k.keyId, publicKey: k.publicKeyPem };
  }

  request(): EnrolmentRequest {
    return {
      ...this.show(),
      name: this.config.applianceName,
      location: this.config.location,
      createdAt: this.clock.now().toISOString(),
    };
  }
}
