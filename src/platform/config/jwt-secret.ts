import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config.js';

/** Shortest secret accepted, from JWT_SECRET or the file (an HS256 key shorter than its hash is weak). */
export const MIN_JWT_SECRET_BYTES = 32;

/**
 * JWT_SECRET, or (outside production) a secret generated once and kept under the data dir. The file is
 * written to a temporary name and linked into place, so a crash never leaves it empty or half-written; an
 * empty or short secret (from either source) is refused rather than trusted — with an empty key anyone
 * could sign an ADMIN token.
 */
export function resolveJwtSecret(configured: string | undefined, dataDir: string): string {
  if (configured !== undefined && configured !== '') return checked(configured, 'JWT_SECRET');
  const file = resolve(dataDir, 'jwt-secret');
  if (existsSync(file)) return checked(readFileSync(file, 'utf8').trim(), file);
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, secret, { mode: 0o600, flush: true });
  try {
    // A hard link publishes the complete file atomically, like rename, but never replaces one another
    // process (a worker starting beside the API) published first: then both use that one.
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return checked(readFileSync(file, 'utf8').trim(), file);
  } finally {
    unlinkSync(tmp);
  }
  return secret;
}

function checked(secret: string, source: string): string {
  if (Buffer.byteLength(secret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(
      `Invalid configuration: the JWT secret in ${source} is ${secret ? 'shorter than' : 'empty; it needs at least'} ${MIN_JWT_SECRET_BYTES} bytes` +
        (source === 'JWT_SECRET' ? '' : ' (delete the file to have a new one generated; tokens signed with the old one stop working)'),
    );
  }
  return secret;
}
