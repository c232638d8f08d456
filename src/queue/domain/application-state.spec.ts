import { APPLICATION_STATUSES, applicationStep } from './application-state.js';

describe('application state machine: changes that keep the status', () => {
  it.each(['AMEND', 'CLAIM_PRIORITY', 'RECLASSIFY', 'JOIN_BATCH'] as const)('%s: every live status, never ARCHIVED', (edit) => {
    for (const s of APPLICATION_STATUSES) {
      const step = applicationStep(s, edit);
      if (s === 'ARCHIVED') expect(step.ok).toBe(false);
      else expect(step).toEqual({ ok: true, next: s });
    }
  });
});
