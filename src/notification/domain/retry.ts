/** Retry policy of text delivery. Pure: randomness and settings are parameters. */
export interface RetryPolicy {
  /** First delay; doubles per attempt. */
  baseMs: number;
  /** Least delay after an attempt whose outcome is unknown (timeout): the provider may still act on it. */
  uncertainMinMs: number;
  maxAttempts: number;
}

export const MAX_RETRY_DELAY_MS = 10 * 60_000;

/**
 * The delay before attempt `attempts + 1`, after `attempts` failed ones: base · 2^(attempts−1), at most
 * 10 minutes, with ±20 % jitter (`random` in [0, 1)) so that many texts failing together do not retry
 * together; never below `uncertainMinMs` after an uncertain failure.
 */
export function retryDelayMs(attempts: number, uncertain: boolean, p: RetryPolicy, random: number): number {
  const exp = Math.min(p.baseMs * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
  const jittered = Math.round(exp * (0.8 + 0.4 * random));
  return uncertain ? Math.max(jittered, p.uncertainMinMs) : jittered;
}

/** Whether a failure ends the message (FAILED) instead of scheduling another attempt. */
export function isFinalFailure(attempts: number, permanent: boolean, p: RetryPolicy): boolean {
  return permanent || attempts >= p.maxAttempts;
}
