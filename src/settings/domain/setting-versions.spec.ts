import { checkSettingChange, settingsAt, settingsOnDate, settingsTimeline, type SettingVersion } from './setting-versions.js';
import { DEFAULT_SETTINGS, SETTING_KEYS } from './settings.js';

const V: SettingVersion[] = [
  { key: 'confirmWorkingDays', value: 2, effectiveFrom: '2000-01-01' },
  { key: 'confirmWorkingDays', value: 3, effectiveFrom: '2027-01-04' },
  { key: 'confirmWorkingDays', value: 4, effectiveFrom: '2027-03-01' },
];

describe('settings as rules with dates', () => {
  it('the version in force on a day: the latest with effectiveFrom ≤ day; other keys take their defaults', () => {
    expect(settingsOnDate(V, '2027-01-03').confirmWorkingDays).toBe(2);
    expect(settingsOnDate(V, '2027-01-04').confirmWorkingDays).toBe(3);
    expect(settingsOnDate(V, '2027-03-01').confirmWorkingDays).toBe(4);
    expect(settingsOnDate(V, '2027-01-04').documentsWorkingDays).toBe(DEFAULT_SETTINGS.documentsWorkingDays);
    expect(Object.keys(settingsOnDate([], '2027-01-04')).sort()).toEqual([...SETTING_KEYS].sort());
  });

  it('a change takes effect at 00:00 Asia/Almaty (19:00 UTC the day before)', () => {
    expect(settingsAt(V, new Date('2027-01-03T18:59:59.999Z')).confirmWorkingDays).toBe(2);
    expect(settingsAt(V, new Date('2027-01-03T19:00:00.000Z')).confirmWorkingDays).toBe(3);
    const at = settingsTimeline(V);
    expect(
      [at(new Date('2026-12-31T12:00:00Z')), at(new Date('2027-02-01T12:00:00Z')), at(new Date('2027-06-01T12:00:00Z'))].map(
        (s) => s.confirmWorkingDays,
      ),
    ).toEqual([2, 3, 4]);
  });

  it.each<[string, string, string, string]>([
    ['nope', '1', '2027-01-01', 'key'],
    ['confirmWorkingDays', 'three', '2027-01-01', 'value'],
    ['confirmWorkingDays', '0', '2027-01-01', 'value'],
    ['interleave', '{"first":0,"general":0}', '2027-01-01', 'value'],
    ['confirmWorkingDays', '3', '2026-12-02', 'effectiveFrom'],
    ['confirmWorkingDays', '3', '2026-11-30', 'effectiveFrom'],
  ])('refuses %s = %s from %s (field %s)', (key, value, from, field) => {
    const c = checkSettingChange(key, value, from, '2026-12-02');
    expect(c.ok ? null : c.field).toBe(field);
  });

  it('accepts a valid value for a day after today, as canonical JSON', () => {
    expect(checkSettingChange('transferPeriod', ' {"from":"07-15", "to":"08-15"} ', '2026-12-03', '2026-12-02')).toEqual({
      ok: true,
      key: 'transferPeriod',
      value: { from: '07-15', to: '08-15' },
      json: '{"from":"07-15","to":"08-15"}',
    });
  });
});
