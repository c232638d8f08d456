import { DEFAULT_SETTINGS, InvalidSettingsError, isMonthDay, readSettings, SETTING_KEYS, settingsProblems } from './settings.js';

describe('settings', () => {
  it('defaults are the values the foundation migration seeded, and valid', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      confirmWorkingDays: 2,
      documentsWorkingDays: 5,
      extensionCalendarDays: 30,
      stopListCalendarDays: 10,
      priorityWindowHours: 24,
      proofWorkingDays: 5,
      proactiveReplyCalendarDays: 7,
      transferPeriod: { from: '08-01', to: '08-31' },
      interleave: { first: 1, general: 3 },
      ageLimitYears: 6,
      earlyBookingWorkingDays: 10,
      siblingRegistrationCalendarDays: 30,
    });
    expect(settingsProblems({ ...DEFAULT_SETTINGS })).toEqual([]);
  });

  it('reads stored values over the defaults; a missing key takes its default (a copy)', () => {
    const s = readSettings({ confirmWorkingDays: 3, interleave: { first: 2, general: 5 }, unknownKey: 'ignored' });
    expect(s.confirmWorkingDays).toBe(3);
    expect(s.interleave).toEqual({ first: 2, general: 5 });
    expect(s.documentsWorkingDays).toBe(5);
    expect(Object.keys(s).sort()).toEqual([...SETTING_KEYS].sort());
    s.transferPeriod.from = '01-01';
    expect(DEFAULT_SETTINGS.transferPeriod.from).toBe('08-01');
  });

  it.each<[string, unknown]>([
    ['confirmWorkingDays', 0],
    ['documentsWorkingDays', -1],
    ['extensionCalendarDays', 1.5],
    ['stopListCalendarDays', '10'],
    ['priorityWindowHours', null],
    ['proofWorkingDays', Number.NaN],
    ['proactiveReplyCalendarDays', Number.POSITIVE_INFINITY],
    ['ageLimitYears', 0],
    ['earlyBookingWorkingDays', 0],
    ['siblingRegistrationCalendarDays', -1],
    ['siblingRegistrationCalendarDays', 2.5],
    ['transferPeriod', { from: '8-01', to: '08-31' }],
    ['transferPeriod', { from: '08-01', to: '08-32' }],
    ['transferPeriod', { from: '02-30', to: '03-01' }],
    ['transferPeriod', '08-01..08-31'],
    ['interleave', { first: 0, general: 0 }],
    ['interleave', { first: -1, general: 3 }],
    ['interleave', { first: 1 }],
    ['interleave', [1, 3]],
  ])('rejects %s = %j', (key, value) => {
    const problems = settingsProblems({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${key}: `));
    expect(() => readSettings({ [key]: value })).toThrow(InvalidSettingsError);
  });

  it('accepts a transfer period over the new year and a ratio with one class at 0', () => {
    expect(settingsProblems({ transferPeriod: { from: '12-30', to: '01-05' }, interleave: { first: 0, general: 1 } })).toEqual([]);
  });

  it.each([
    ['02-29', true],
    ['12-31', true],
    ['04-31', false],
    ['00-10', false],
    ['13-01', false],
    ['1-01', false],
  ])('isMonthDay(%s) → %s', (v, ok) => expect(isMonthDay(v)).toBe(ok));
});
