import { Inject, Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { EntityManager } from 'typeorm';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { toAlmatyIso } from '../platform/graphql/scalars.js';
import { treeHeadText, type SignedTreeHead } from './domain/merkle.js';

export const LEDGER_KEY_FILE = 'ledger-signing-key.pem';

/** Key id: the first 16 hex digits of SHA-256 over the public key's SPKI DER. */
export function ledgerKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Signs tree heads with the Ed25519 key of LEDGER_SIGNING_KEY (a PKCS#8 PEM file; required in production,
 * generated once into DATA_DIR/ledger-signing-key.pem otherwise). The private key never reaches the
 * database: `ledger_key` holds public keys only. Rotation: point LEDGER_SIGNING_KEY at a new file and
 * restart; the new key is published with valid_from = now, old keys stay published (each is valid until
 * the next one's valid_from), and the sealer signs a fresh head with the new key.
 */
@Injectable()
export class TreeHeadSigner {
  readonly keyId: string;
  /** SPKI PEM. */
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;

  constructor(@Inject(ENV_CONFIG) config: Pick<EnvConfig, 'LEDGER_SIGNING_KEY' | 'NODE_ENV' | 'DATA_DIR'>) {
    this.privateKey = loadSigningKey(config);
    const pub = createPublicKey(this.privateKey);
    this.publicKeyPem = pub.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = ledgerKeyId(pub);
  }

  /** The exact text signed and the head, for `treeSize` leaves with root `rootHash` at `at`. */
  sign(treeSize: number, rootHash: string, at: Date): SignedTreeHead {
    const timestamp = toAlmatyIso(at);
    const signature = sign(null, Buffer.from(treeHeadText({ treeSize, rootHash, timestamp }), 'utf8'), this.privateKey).toString('base64');
    return { treeSize, rootHash, timestamp, keyId: this.keyId, signature };
  }

  /** Publishes this key's public half (once; old keys stay). */
  async publish(em: EntityManager, at: Date): Promise<void> {
    await em.query(
      `INSERT INTO ledger_key (key_id, algorithm, public_key, valid_from) VALUES ($1, 'Ed25519', $2, $3) ON CONFLICT (key_id) DO NOTHING`,
      [this.keyId, this.publicKeyPem, at],
    );
  }
}

export function loadSigningKey(config: Pick<EnvConfig, 'LEDGER_SIGNING_KEY' | 'NODE_ENV' | 'DATA_DIR'>): KeyObject {
  let file = config.LEDGER_SIGNING_KEY;
  if (!file) {
    if (config.NODE_ENV === 'production') {
      throw new Error('LEDGER_SIGNING_KEY (an Ed25519 PKCS#8 PEM key file) is required when NODE_ENV=production');
    }
    file = resolve(config.DATA_DIR, LEDGER_KEY_FILE);
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const { privateKey } = generateKeyPairSync('ed25519');
      // 'wx': two processes starting at once must not overwrite each other's key.
      try {
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(resolve(file), 'utf8'));
  } catch (e) {
    throw new Error(`LEDGER_SIGNING_KEY: cannot read a PKCS#8 PEM private key from ${file}: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`LEDGER_SIGNING_KEY: ${file} is a ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}
