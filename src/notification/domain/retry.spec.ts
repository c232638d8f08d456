import { isFinalFailure, MAX_RETRY_DELAY_MS, retryDelayMs, type RetryPolicy } from './retry.js';

const p: RetryPolicy = { baseMs: 1000, uncertainMinMs: 60_000, maxAttempts: 20 };

describe('retry policy', () => {
  it('doubles from the base delay, without jitter at random = 0.5', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, false, p, 0.5))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });
  it('is capped at 10 minutes and jitters by ±20 %', () => {
    expect(retryDelayMs(30, false, p, 0.5)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1, false, p, 0)).toBe(800);
    expect(retryDelayMs(1, false, p, 0.999999)).toBe(1200);
  });
  it('waits at least the uncertain delay after a timeout', () => {
    expect(retryDelayMs(1, true, p, 0.5)).toBe(60_000);
    expect(retryDelayMs(12, true, p, 0.5)).toBe(MAX_RETRY_DELAY_MS);
  });
  it('a permanent failure is final at once; others after maxAttempts', () => {
    expect(isFinalFailure(1, true, p)).toBe(true);
    expect(isFinalFailure(19, false, p)).toBe(false);
    expect(isFinalFailure(20, false, p)).toBe(true);
  });
});
