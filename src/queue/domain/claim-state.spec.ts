import { claimStep, type ClaimMove } from './claim-state.js';
import type { ClaimStatus } from './vocabulary.js';

describe('claim state machine', () => {
  it.each<[ClaimStatus | null, ClaimMove, ClaimStatus | false]>([
    [null, 'CLAIM', 'PENDING'],
    ['LAPSED', 'CLAIM', 'PENDING'],
    ['REJECTED', 'CLAIM', 'PENDING'],
    ['PENDING', 'CLAIM', false],
    ['CONFIRMED', 'CLAIM', false],
    ['PENDING', 'CONFIRM', 'CONFIRMED'],
    ['LAPSED', 'CONFIRM', false],
    ['REJECTED', 'CONFIRM', false],
    ['CONFIRMED', 'CONFIRM', false],
    [null, 'CONFIRM', false],
    ['PENDING', 'REJECT', 'REJECTED'],
    ['CONFIRMED', 'REJECT', 'REJECTED'],
    ['LAPSED', 'REJECT', false],
    ['PENDING', 'LAPSE', 'LAPSED'],
    ['CONFIRMED', 'LAPSE', false],
  ])('%s --%s--> %s', (from, action, to) => {
    const step = claimStep(from, action);
    if (to === false) expect(step.ok).toBe(false);
    else expect(step).toEqual({ ok: true, next: to });
  });

  it('a lapsed or rejected claim cannot be confirmed: the reason names the way out', () => {
    for (const s of ['LAPSED', 'REJECTED'] as const) {
      const step = claimStep(s, 'CONFIRM');
      expect(step.ok).toBe(false);
      if (!step.ok) expect(step.reason).toMatch(/new claim is needed \(addPriorityClaim\)/);
    }
  });
});
