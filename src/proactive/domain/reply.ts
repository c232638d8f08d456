/**
 * Replies to a proactive offer by SMS (API.md "POST /sms/inbound"). Pure.
 *
 * Consent: `1`, `иә`, `ия`, `да`, `yes`; refusal: `0`, `жоқ`, `нет`, `no` — any case, with
 * surrounding spaces, punctuation or quotes. Also accepted: `жок` (жоқ typed without the Kazakh
 * keyboard) and the code from the offer text next to the answer (`иә ABCD2345`), which picks the offer
 * when a phone has several.
 */
export type ReplyAnswer = 'consent' | 'refuse';

export interface ParsedReply {
  answer: ReplyAnswer | null;
  /** An offer code found in the reply (normalized), if any. */
  code: string | null;
}

const CONSENT = new Set(['1', 'иә', 'ия', 'да', 'yes']);
const REFUSE = new Set(['0', 'жоқ', 'жок', 'нет', 'no']);

/** Letters of the offer codes: no 0/O, 1/I/L, so a code never reads as an answer digit. */
export const TOKEN_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const TOKEN_LENGTH = 8;
const TOKEN_RE = new RegExp(`^[${TOKEN_ALPHABET}]{6,8}$`);

/** Upper-cases and trims a code typed by a person; null when it cannot be one. */
export function normalizeToken(s: string): string | null {
  const t = s.trim().toUpperCase();
  return TOKEN_RE.test(t) ? t : null;
}

export function parseReply(text: string): ParsedReply {
  // Words: runs of letters and digits; everything else (spaces, punctuation, quotes, emoji) separates.
  const words =
    text
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  let answer: ReplyAnswer | null = null;
  let code: string | null = null;
  for (const w of words) {
    const a = CONSENT.has(w) ? 'consent' : REFUSE.has(w) ? 'refuse' : null;
    if (a) {
      if (answer && answer !== a) return { answer: null, code: null }; // "да нет": not an answer
      answer = a;
      continue;
    }
    const c = normalizeToken(w);
    if (c && !code) {
      code = c;
      continue;
    }
    return { answer: null, code: null }; // anything else: we do not guess
  }
  return { answer, code };
}
