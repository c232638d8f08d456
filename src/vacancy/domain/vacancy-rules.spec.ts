import { inTransferPeriod, vacancyProblem } from './vacancy-rules.js';

describe('vacancy rules', () => {
  const aug = { from: '08-01', to: '08-31' };
  it.each([
    ['2026-07-31', false],
    ['2026-08-01', true],
    ['2026-08-31', true],
    ['2026-09-01', false],
  ])('transfer period %s → %s', (d, expected) => {
    expect(inTransferPeriod(d, aug)).toBe(expected);
  });
  it('wrapping period over new year', () => {
    expect(inTransferPeriod('2026-01-02', { from: '12-30', to: '01-05' })).toBe(true);
    expect(inTransferPeriod('2026-06-02', { from: '12-30', to: '01-05' })).toBe(false);
  });
  const base = {
    ageFromMonths: 24,
    ageToMonths: 36,
    groupType: 'GENERAL' as const,
    admissionMode: 'GENERAL' as const,
    admissionStartDate: '2026-09-01',
  };
  it('accepts a plain place', () => expect(vacancyProblem(base)).toBeNull());
  it('age period from ≤ to', () => expect(vacancyProblem({ ...base, ageFromMonths: 40 })?.[0]).toBe('ageToMonths'));
  it('temporary stay needs attendanceUntil after start', () => {
    expect(vacancyProblem({ ...base, admissionMode: 'TEMPORARY_STAY' })?.[0]).toBe('attendanceUntil');
    expect(vacancyProblem({ ...base, admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2026-09-01' })?.[1]).toMatch(/after/);
    expect(vacancyProblem({ ...base, admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2026-12-01' })).toBeNull();
  });
  it('attendanceUntil only for temporary stay', () =>
    expect(vacancyProblem({ ...base, attendanceUntil: '2026-12-01' })?.[0]).toBe('attendanceUntil'));
});
