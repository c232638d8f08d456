import { createHmac } from 'node:crypto';

/** Hex characters kept of the HMAC: 64 bits, so collisions stay negligible for millions of entries. */
export const PSEUDONYM_HEX_LENGTH = 16;

/** Label under which the key is derived from the JWT secret when no OPEN_DATA_SALT is configured. */
const DERIVATION_LABEL = 'kezek/open-data/pseudonym-key/v1';

/**
 * The key of the pseudonyms: OPEN_DATA_SALT when set, else HMAC-SHA256(JWT secret, a fixed label), so
 * the JWT secret itself is never used as a key and a pseudonym reveals nothing about it.
 */
export function pseudonymKey(salt: string | undefined, jwtSecret: string): string {
  if (salt !== undefined && salt !== '') return salt;
  return createHmac('sha256', jwtSecret).update(DERIVATION_LABEL).digest('hex');
}

/**
 * Stable pseudonym of an application: the first 16 hex digits of HMAC-SHA256(key, application id).
 * The same application gets the same pseudonym every day; without the key it cannot be linked to the
 * application's id, and nobody can check a guessed id against it.
 */
export function pseudonym(key: string, applicationId: string): string {
  return createHmac('sha256', key).update(applicationId).digest('hex').slice(0, PSEUDONYM_HEX_LENGTH);
}

/** {@link pseudonym} with the key fixed (the function the file writers take). */
export function pseudonymizer(key: string): (applicationId: string) => string {
  return (applicationId) => pseudonym(key, applicationId);
}
