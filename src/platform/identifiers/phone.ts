/**
 * Kazakhstan mobile phone numbers. Pure helpers, no I/O.
 *
 * Canonical form: '+7' followed by 10 digits, the first of which is 7 (mobile range 7XX),
 * e.g. '+77012345678'.
 *
 * Caveat: the only rule applied is "national number starts with 7". Kazakhstan landline area
 * codes also start with 7 (71x, 72x: '+7 727 …' Almaty, '+7 7172 …' Astana), so those pass too;
 * what this rejects is other +7 numbers (Russia: 3xx, 4xx, 8xx, 9xx).
 */

const ALLOWED_CHARS = /^\+?[\d\s()-]+$/;

/**
 * Normalizes a Kazakhstan mobile number to '+77XXXXXXXXX', or null when it is not one.
 *
 * Accepts separators (spaces, parentheses, dashes) and the prefixes '+7', '8' and '7', or the
 * bare 10-digit national number: '+7 701 234 56 78', '+77012345678', '87012345678',
 * '8 (701) 234-56-78', '77012345678', '7012345678' all give '+77012345678'.
 * Rejects national numbers not starting with 7, other country codes, wrong lengths, letters and
 * a '+' anywhere but at the start.
 */
export function normalizeKzPhone(input: string): string | null {
  const trimmed = input.trim();
  if (!ALLOWED_CHARS.test(trimmed)) return null;
  const hasPlus = trimmed.startsWith('+');
  const digits = trimmed.replace(/\D/g, '');
  let national: string;
  if (hasPlus) {
    if (digits.length !== 11 || digits[0] !== '7') return null;
    national = digits.slice(1);
  } else if (digits.length === 11 && (digits[0] === '8' || digits[0] === '7')) {
    national = digits.slice(1);
  } else if (digits.length === 10) {
    national = digits;
  } else {
    return null;
  }
  if (national[0] !== '7') return null;
  return `+7${national}`;
}

/**
 * Masks a phone for logs and UI: '+77012345678' → '+7701***5678' (country code, operator code
 * and last four digits kept). The input is normalized first; anything that is not a Kazakhstan
 * mobile number is fully masked as '***'.
 */
export function maskPhone(phone: string): string {
  const normalized = normalizeKzPhone(phone);
  if (normalized === null) return '***';
  return `${normalized.slice(0, 5)}***${normalized.slice(-4)}`;
}
