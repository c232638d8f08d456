/**
 * The Rules' timers and ratios as rules with dates. Each change of a setting is a version with an
 * effective date (Asia/Almaty): it is in force from 00:00 of that day until the next version of the same
 * key. A judgment made at an instant (a registration, an allocation run, a referral's issue, a sweep) uses
 * the versions in force at that instant, never the ones announced for later.
 *
 * Dates of changes:
 * - a change takes effect at 00:00 of its `effectiveFrom`; it must be a day AFTER today (Almaty): a day
 *   already begun keeps the rules it began with, so every judgment made today stays explained by the
 *   versions in force when it was made (and the fairness audit replays it with them);
 * - a change for a future date may be superseded before that date by another change for the same key and
 *   date (the latest wins, both are ledgered); changes for different future dates stand in date order.
 *
 * Pure: no I/O, time passed in.
 */
import { toAlmatyDate } from '../../calendar/domain/almaty-time.js';
import { DEFAULT_SETTINGS, readSettings, SETTING_KEYS, settingsProblems, type SettingKey, type Settings } from './settings.js';

/** The effective date given to the values a key had before its first dated change (in force since the start). */
export const SINCE_THE_START = '2000-01-01';

export interface SettingVersion {
  key: string;
  value: unknown;
  /** YYYY-MM-DD (Asia/Almaty): in force from 00:00 of this day. */
  effectiveFrom: string;
}

/** What each key means, for `settings` (a key without an entry shows its key). */
export const SETTING_DESCRIPTIONS: Readonly<Partial<Record<SettingKey, string>>> = {
  confirmWorkingDays: 'working days to confirm or decline an offered referral',
  documentsWorkingDays: 'working days to bring documents after confirming',
  extensionCalendarDays: 'max calendar days of a referral from the start of validity, once extended',
  stopListCalendarDays: 'calendar days on the stop-list after an expired referral',
  priorityWindowHours: 'hours from the bulletin after which an unreferred place is open for claims',
  proofWorkingDays: 'working days to bring proof of a claimed category',
  proactiveReplyCalendarDays: 'calendar days to answer a proactive offer',
  transferPeriod: 'yearly transfer period (MM-DD, inclusive): no publishing, no referrals',
  interleave: 'referrals to class 1 : class 2 within a segment',
  ageLimitYears: 'children of this age leave the queue (AGED_OUT)',
  earlyBookingWorkingDays:
    'working days after the admission start date by which an early-booked place must be marked vacated, or the booking lapses',
  siblingRegistrationCalendarDays: "twins/triplets: calendar days after the batch's first registration in which a sibling may join it",
};

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

/** The version of each key in force on `date` (the latest with effectiveFrom ≤ date); keys without one are absent. */
export function versionsInForceOn(versions: readonly SettingVersion[], date: string): Map<string, SettingVersion> {
  const out = new Map<string, SettingVersion>();
  for (const v of versions) {
    if (v.effectiveFrom > date) continue;
    const cur = out.get(v.key);
    if (!cur || cur.effectiveFrom <= v.effectiveFrom) out.set(v.key, v);
  }
  return out;
}

/** The checked settings in force on an Almaty `date`: each key's version then, else its default. */
export function settingsOnDate(versions: readonly SettingVersion[], date: string): Settings {
  const inForce = versionsInForceOn(versions, date);
  return readSettings(Object.fromEntries([...inForce.values()].filter((v) => isSettingKey(v.key)).map((v) => [v.key, v.value])));
}

/** The settings in force at an instant: the day's versions (a change takes effect at 00:00 Almaty). */
export function settingsAt(versions: readonly SettingVersion[], at: Date): Settings {
  return settingsOnDate(versions, toAlmatyDate(at));
}

/**
 * The settings history as a function of time (for the fairness audit and sweeps that judge many
 * instants): one checked Settings per distinct day asked, cached.
 */
export function settingsTimeline(versions: readonly SettingVersion[]): (at: Date) => Settings {
  const byDay = new Map<string, Settings>();
  const dates = [...new Set(versions.map((v) => v.effectiveFrom))].sort();
  return (at) => {
    const day = toAlmatyDate(at);
    // The same Settings for every day between two change dates.
    let key = '';
    for (const d of dates) if (d <= day) key = d;
    let s = byDay.get(key);
    if (!s) byDay.set(key, (s = settingsOnDate(versions, day)));
    return s;
  };
}

export type SettingChangeCheck =
  { ok: true; key: SettingKey; value: unknown; json: string } | { ok: false; field: string; problem: string };

/**
 * Whether a change of `key` to the JSON text `valueText` from `effectiveFrom` may be made on Almaty day
 * `today`: the key is known, the text is JSON, the value passes the key's rule, and the date is after today.
 */
export function checkSettingChange(key: string, valueText: string, effectiveFrom: string, today: string): SettingChangeCheck {
  if (!isSettingKey(key)) return { ok: false, field: 'key', problem: `unknown setting; one of ${SETTING_KEYS.join(', ')}` };
  let value: unknown;
  try {
    value = JSON.parse(valueText);
  } catch {
    return { ok: false, field: 'value', problem: 'must be JSON text, e.g. 3 or {"first":1,"general":3}' };
  }
  const problems = settingsProblems({ [key]: value });
  if (problems.length) return { ok: false, field: 'value', problem: problems[0].slice(key.length + 2) };
  if (effectiveFrom <= today) {
    return {
      ok: false,
      field: 'effectiveFrom',
      problem: `must be a day after today (${today}): a change takes effect at 00:00 of that day`,
    };
  }
  return { ok: true, key, value, json: JSON.stringify(value) };
}

/** JSON text of a setting's value (what `Setting.value` shows). */
export function settingText(value: unknown): string {
  return JSON.stringify(value);
}

/** The default of a key as a version in force since the start. */
export function defaultVersion(key: SettingKey): SettingVersion {
  return { key, value: structuredClone(DEFAULT_SETTINGS[key]), effectiveFrom: SINCE_THE_START };
}
