/**
 * Kazakhstan individual (IIN / ЖСН) and business (BIN / БСН) identification numbers.
 *
 * Both are 12 digits; the 12th is a check digit over the first 11:
 *   sum(d[i] * w[i]) mod 11 with weights 1..11; if that is 10, recompute with weights
 *   3,4,5,6,7,8,9,10,11,1,2; if it is 10 again the number cannot exist.
 *
 * IIN: YYMMDD birth date, 7th digit = century and sex (1/2 = 1800s, 3/4 = 1900s, 5/6 = 2000s;
 * odd = male, even = female), 4 serial digits, check digit.
 * BIN: YYMM of registration, 5th digit = entity type (4 resident legal entity, 5 non-resident,
 * 6 individual entrepreneur (joint venture)), 6th digit = attribute, 5 serial digits, check digit.
 *
 * Pure functions: no clock, no I/O.
 */

export type Sex = 'M' | 'F';

export type IinParseResult = { ok: true; birthDate: string; sex: Sex } | { ok: false; reason: string };

export type BinParseResult =
  { ok: true; registrationYear: number; registrationMonth: number; entityType: 4 | 5 | 6 } | { ok: false; reason: string };

const WEIGHTS_1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;

const TWELVE_DIGITS = /^\d{12}$/;
const ELEVEN_DIGITS = /^\d{11}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function weightedMod11(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += Number(digits[i]) * weights[i];
  return sum % 11;
}

/**
 * The check digit for the first 11 digits of an IIN/BIN, or null when the weighted sum gives 10
 * with both weight sets (no valid number has these 11 digits).
 * @throws RangeError when `first11` is not exactly 11 ASCII digits.
 */
export function checkDigit(first11: string): number | null {
  if (!ELEVEN_DIGITS.test(first11)) {
    throw new RangeError(`checkDigit expects 11 digits, got '${first11}'`);
  }
  const first = weightedMod11(first11, WEIGHTS_1);
  if (first !== 10) return first;
  const second = weightedMod11(first11, WEIGHTS_2);
  return second === 10 ? null : second;
}

/** True when the 12-digit string's last digit matches the check digit of its first 11. */
function hasValidCheckDigit(twelve: string): boolean {
  const expected = checkDigit(twelve.slice(0, 11));
  return expected !== null && expected === Number(twelve[11]);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Parses a strict 'YYYY-MM-DD' string; throws RangeError when it is not a real calendar date. */
function parseIsoDate(date: string): { y: number; m: number; d: number } {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`expected a YYYY-MM-DD date, got '${date}'`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (!isRealDate(y, m, d)) throw new RangeError(`'${date}' is not a real date`);
  return { y, m, d };
}

const CENTURY_BASE: Record<string, number> = {
  '1': 1800,
  '2': 1800,
  '3': 1900,
  '4': 1900,
  '5': 2000,
  '6': 2000,
};

/**
 * Validates an IIN and extracts the birth date (YYYY-MM-DD) and sex.
 * Checks, in order: 12 digits, check digit, century digit 1-6, real birth date (leap years too).
 */
export function parseIin(iin: string): IinParseResult {
  if (!TWELVE_DIGITS.test(iin)) return { ok: false, reason: 'must be 12 digits' };
  if (!hasValidCheckDigit(iin)) return { ok: false, reason: 'check digit mismatch' };
  const centuryDigit = iin[6];
  const base = CENTURY_BASE[centuryDigit];
  if (base === undefined) return { ok: false, reason: 'century digit must be 1-6' };
  const year = base + Number(iin.slice(0, 2));
  const month = Number(iin.slice(2, 4));
  const day = Number(iin.slice(4, 6));
  if (!isRealDate(year, month, day)) return { ok: false, reason: 'birth date is not a real date' };
  return {
    ok: true,
    birthDate: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`,
    sex: Number(centuryDigit) % 2 === 1 ? 'M' : 'F',
  };
}

/** True when `iin` is a valid IIN (see {@link parseIin}). */
export function isValidIin(iin: string): boolean {
  return parseIin(iin).ok;
}

/**
 * Validates a BIN: 12 digits, check digit, registration month 01-12 (digits 3-4),
 * entity type digit (5th) in 4, 5, 6. Registration year is 2000 + YY.
 */
export function parseBin(bin: string): BinParseResult {
  if (!TWELVE_DIGITS.test(bin)) return { ok: false, reason: 'must be 12 digits' };
  if (!hasValidCheckDigit(bin)) return { ok: false, reason: 'check digit mismatch' };
  const month = Number(bin.slice(2, 4));
  if (month < 1 || month > 12) return { ok: false, reason: 'registration month must be 01-12' };
  const type = Number(bin[4]);
  if (type !== 4 && type !== 5 && type !== 6) {
    return { ok: false, reason: 'entity type digit (5th) must be 4, 5 or 6' };
  }
  return {
    ok: true,
    registrationYear: 2000 + Number(bin.slice(0, 2)),
    registrationMonth: month,
    entityType: type,
  };
}

/** True when `bin` is a valid BIN (see {@link parseBin}). */
export function isValidBin(bin: string): boolean {
  return parseBin(bin).ok;
}

/**
 * Appends a zero-padded serial of `serialWidth` digits and the check digit to `head`
 * (head + serial = 11 digits), trying serial, serial+1, ... (mod 10^serialWidth) until the check
 * digit exists. The 11th digit has weight 2 in the second pass, so consecutive serials cycle the
 * second-pass sum through every residue: a usable serial is always found within a few steps.
 */
function completeWithSerial(head: string, serial: number, serialWidth: number): string {
  const modulus = 10 ** serialWidth;
  if (!Number.isInteger(serial) || serial < 0 || serial >= modulus) {
    throw new RangeError(`serial must be an integer in 0..${modulus - 1}, got ${serial}`);
  }
  for (let i = 0; i < modulus; i++) {
    const first11 = head + pad((serial + i) % modulus, serialWidth);
    const check = checkDigit(first11);
    if (check !== null) return first11 + String(check);
  }
  throw new RangeError(`no serial gives a valid check digit for '${head}'`);
}

/**
 * Builds a VALID IIN for the given birth date (YYYY-MM-DD, years 1800-2099) and sex.
 * `serial` (0..9999) is the preferred serial; when it yields no check digit the next serial
 * (mod 10000) is used, so the result always passes {@link parseIin}.
 * @throws RangeError for an invalid date, a year outside 1800-2099, or a bad serial.
 */
export function makeIin(birthDate: string, sex: Sex, serial: number): string {
  const { y, m, d } = parseIsoDate(birthDate);
  if (y < 1800 || y > 2099) throw new RangeError(`IIN birth year must be 1800-2099, got ${y}`);
  const centuryIndex = Math.floor((y - 1800) / 100); // 0, 1, 2
  const centuryDigit = 1 + centuryIndex * 2 + (sex === 'F' ? 1 : 0);
  const head = pad(y % 100, 2) + pad(m, 2) + pad(d, 2) + String(centuryDigit);
  return completeWithSerial(head, serial, 4);
}

/**
 * Builds a VALID BIN registered in `yymm` (4 digits, month 01-12) with entity type `entityType`
 * (default 4, a resident legal entity) and attribute digit 0 (head organisation).
 * `serial` (0..99999) is the preferred serial; the next one is used when it has no check digit.
 * @throws RangeError for a malformed `yymm`, a bad type or serial.
 */
export function makeBin(yymm: string, serial: number, entityType: 4 | 5 | 6 = 4): string {
  if (!/^\d{4}$/.test(yymm)) throw new RangeError(`yymm must be 4 digits, got '${yymm}'`);
  const month = Number(yymm.slice(2));
  if (month < 1 || month > 12) throw new RangeError(`yymm month must be 01-12, got '${yymm}'`);
  if (![4, 5, 6].includes(entityType)) {
    throw new RangeError(`entityType must be 4, 5 or 6, got ${entityType}`);
  }
  return completeWithSerial(yymm + String(entityType) + '0', serial, 5);
}

/**
 * Completed months between two YYYY-MM-DD dates:
 * (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0).
 * So 2020-01-31 → 2020-02-29 is 0 and → 2020-03-01 is 1. Negative when `onDate` is earlier.
 * @throws RangeError when either date is not a real YYYY-MM-DD date.
 */
export function ageInMonths(birthDate: string, onDate: string): number {
  const a = parseIsoDate(birthDate);
  const b = parseIsoDate(onDate);
  return (b.y - a.y) * 12 + (b.m - a.m) - (b.d < a.d ? 1 : 0);
}

/**
 * Completed years between two YYYY-MM-DD dates (floor of {@link ageInMonths} / 12).
 * A child born on 29 February completes a year on 1 March of non-leap years.
 */
export function ageInYears(birthDate: string, onDate: string): number {
  return Math.floor(ageInMonths(birthDate, onDate) / 12);
}
