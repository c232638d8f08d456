import { VACANCY_STATES, vacancyStep } from './vacancy-state.js';

describe('vacancy state machine', () => {
  it('RENOTICE (an open place told again) keeps the status and is allowed on a PUBLISHED place only', () => {
    expect(vacancyStep('PUBLISHED', 'RENOTICE')).toEqual({ ok: true, next: 'PUBLISHED' });
    for (const status of VACANCY_STATES.filter((s) => s !== 'PUBLISHED')) {
      const step = vacancyStep(status, 'RENOTICE');
      expect(step.ok).toBe(false);
      if (!step.ok) expect(step.reason).toMatch(/cannot RENOTICE/);
    }
  });

  it('RELEASE brings a held place back to PUBLISHED (a new open round); NOTICE only on a PUBLISHED place', () => {
    expect(vacancyStep('REFERRED', 'RELEASE')).toEqual({ ok: true, next: 'PUBLISHED' });
    expect(vacancyStep('BOOKED', 'RELEASE')).toEqual({ ok: true, next: 'PUBLISHED' });
    expect(vacancyStep('PUBLISHED', 'NOTICE')).toEqual({ ok: true, next: 'PUBLISHED' });
    expect(vacancyStep('REFERRED', 'NOTICE').ok).toBe(false);
  });
});
