/**
 * The timers and ratios of the Rules, stored in the `setting` table (one row per field, the value as
 * jsonb) so an operator changes them without a deploy. {@link readSettings} turns the stored rows into
 * a checked {@link Settings}; a field without a row takes its default, the value the foundation
 * migration seeded. Pure: no I/O.
 */
import { DEFAULT_RATIO, type InterleaveRatio } from '../../queue/domain/ranking.js';
import type { TransferPeriod } from '../../vacancy/domain/vacancy-rules.js';

export interface Settings {
  /** Working days to confirm or decline an offered referral. */
  confirmWorkingDays: number;
  /** Working days to bring documents after confirming. */
  documentsWorkingDays: number;
  /** Max calendar days of a referral from the start of validity, once extended. */
  extensionCalendarDays: number;
  /** Calendar days on the stop-list after an expired referral. */
  stopListCalendarDays: number;
  /** Hours from the bulletin after which an unreferred place is open for claims. */
  priorityWindowHours: number;
  /** Working days to bring proof of a claimed category. */
  proofWorkingDays: number;
  /** Calendar days to answer a proactive offer. */
  proactiveReplyCalendarDays: number;
  /** Yearly transfer period (MM-DD, inclusive; may wrap the new year): no publishing, no referrals. */
  transferPeriod: TransferPeriod;
  /** Referrals to class 1 : class 2 within a segment. */
  interleave: InterleaveRatio;
  /** Children of this age leave the queue (AGED_OUT). */
  ageLimitYears: number;
  /** Working days after its admission start date by which an early-booked place must be marked vacated, or the booking lapses. */
  earlyBookingWorkingDays: number;
  /** Twins/triplets: a sibling joins a batch only if registered within this many calendar days of the batch's first application. */
  siblingRegistrationCalendarDays: number;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  confirmWorkingDays: 2,
  documentsWorkingDays: 5,
  extensionCalendarDays: 30,
  stopListCalendarDays: 10,
  priorityWindowHours: 24,
  proofWorkingDays: 5,
  proactiveReplyCalendarDays: 7,
  transferPeriod: { from: '08-01', to: '08-31' },
  interleave: { ...DEFAULT_RATIO },
  ageLimitYears: 6,
  earlyBookingWorkingDays: 10,
  siblingRegistrationCalendarDays: 30,
});

export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as readonly SettingKey[];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** 'MM-DD' of a day that exists in some year (02-29 included). */
export function isMonthDay(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = /^(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const month = Number(m[1]);
  const day = Number(m[2]);
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const POSITIVE_INTEGER = 'must be a positive integer';

/** Each field's rule: the problem with a stored value, or null when it is valid. */
const RULES: { readonly [K in SettingKey]: (v: unknown) => string | null } = {
  confirmWorkingDays: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  documentsWorkingDays: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  extensionCalendarDays: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  stopListCalendarDays: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  priorityWindowHours: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  proofWorkingDays: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  proactiveReplyCalendarDays: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  ageLimitYears: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  earlyBookingWorkingDays: (v) => (isPositiveInt(v) ? null : POSITIVE_INTEGER),
  siblingRegistrationCalendarDays: (v) => (isNonNegativeInt(v) ? null : 'must be an integer of 0 or more'),
  transferPeriod: (v) =>
    isObject(v) && isMonthDay(v.from) && isMonthDay(v.to)
      ? null
      : 'must be { from, to } with MM-DD days, e.g. { "from": "08-01", "to": "08-31" }',
  interleave: (v) =>
    isObject(v) && isNonNegativeInt(v.first) && isNonNegativeInt(v.general) && v.first + v.general > 0
      ? null
      : 'must be { first, general }: integers of 0 or more, not both 0',
};

/** Problems of the stored values, one `key: problem` line each; empty when all are valid. Unknown keys are ignored. */
export function settingsProblems(stored: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const key of SETTING_KEYS) {
    if (!(key in stored)) continue;
    const problem = RULES[key](stored[key]);
    if (problem) problems.push(`${key}: ${problem}`);
  }
  return problems;
}

export class InvalidSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid settings in the setting table: ${problems.join('; ')}`);
    this.name = 'InvalidSettingsError';
  }
}

/** The settings from stored key/value pairs: defaults for missing keys; throws {@link InvalidSettingsError} on an invalid value. */
export function readSettings(stored: Readonly<Record<string, unknown>>): Settings {
  const problems = settingsProblems(stored);
  if (problems.length) throw new InvalidSettingsError(problems);
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) out[key] = key in stored ? stored[key] : structuredClone(DEFAULT_SETTINGS[key]);
  return out as unknown as Settings;
}
