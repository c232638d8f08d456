/**
 * What a family reads in a text: the parameters of a template in the family's language. Producers pass
 * codes and dates as they have them; {@link textParams} words them once, for every template:
 * - `category`: a priority category code → its name in the language (priority_category.name_kk/name_ru);
 * - `deadline`, `dueDate`, `until`: the last day as DD.MM.YYYY (Almaty). 'YYYY-MM-DD' is that day;
 *   'YYYY-MM-DD HH:MM' is a moment: its day, except 00:00, which ends the day before (deadlines are
 *   exclusive instants). Templates put the date after a colon or a dash, so Kazakh needs no case ending;
 * - `reason`: a known code (archive, refusal, cancellation, stop-list) → its wording; the age limit comes
 *   from the setting in force. Other text (an operator's note) is kept, and the templates word around it.
 * Pure: no I/O.
 */
import type { Language } from './stages.js';

export interface Wording {
  /** Priority category names by code. */
  categories: ReadonlyMap<string, { kk: string; ru: string }>;
  /** The age limit in force (setting ageLimitYears). */
  ageLimitYears: number;
}

export const DATE_PARAMS: readonly string[] = ['deadline', 'dueDate', 'until'];

const pad = (n: number): string => String(n).padStart(2, '0');

/** 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM' (see the header) → 'DD.MM.YYYY'; anything else unchanged. */
export function lastDayText(v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(v);
  if (!m) return v;
  let d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (m[4] === '00' && m[5] === '00') d = new Date(d.getTime() - 86_400_000);
  return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

/** Russian "год/года/лет" after a number. */
function yearsRu(n: number): string {
  const d10 = n % 10;
  const d100 = n % 100;
  if (d10 === 1 && d100 !== 11) return `${n} год`;
  if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14)) return `${n} года`;
  return `${n} лет`;
}

/** Wording of every reason code a text may carry. */
export function reasonWording(code: string, lang: Language, w: Pick<Wording, 'ageLimitYears'>): string | null {
  const n = w.ageLimitYears;
  const words: Record<string, { kk: string; ru: string }> = {
    // Archive (application left the queue)
    ENROLLED: { kk: 'бала балабақшаға қабылданды', ru: 'ребёнок зачислен в детский сад' },
    WITHDRAWN: { kk: 'өтініш кері қайтарылды', ru: 'заявление отозвано' },
    AGED_OUT: { kk: `бала ${n} жасқа толды`, ru: `ребёнку исполнилось ${yearsRu(n)}` },
    DUPLICATE: { kk: 'қайталанған өтініш', ru: 'дублирующее заявление' },
    OTHER: { kk: 'өзге себеп', ru: 'иная причина' },
    // Admission refused by the kindergarten
    INCOMPLETE_DOCUMENTS: { kk: 'құжаттар толық емес', ru: 'неполный пакет документов' },
    EXPIRED_DOCUMENTS: { kk: 'құжаттардың мерзімі өткен', ru: 'истёк срок действия документов' },
    VACCINATION_LIMIT: { kk: 'екпе алмаған балалар лимиті толды', ru: 'исчерпан лимит непривитых детей' },
    // Referral cancelled
    GROUP_CLOSED: { kk: 'топ жабылды', ru: 'группа закрыта' },
    ORGANIZATION_ERROR: { kk: 'ұйымның қатесі', ru: 'ошибка организации' },
    // Stop-list
    REFERRAL_EXPIRED: { kk: 'жолдаманың мерзімі өтті', ru: 'истёк срок направления' },
    FALSE_DOCUMENTS: { kk: 'жалған құжаттар ұсынылды', ru: 'представлены недостоверные документы' },
  };
  return words[code]?.[lang] ?? null;
}

/** The template's parameters as the family reads them (see the header). */
export function textParams(lang: Language, params: Readonly<Record<string, string | number>>, w: Wording): Record<string, string | number> {
  const out: Record<string, string | number> = { ...params };
  for (const key of DATE_PARAMS) {
    const v = out[key];
    if (typeof v === 'string') out[key] = lastDayText(v);
  }
  const category = out.category;
  if (typeof category === 'string') out.category = w.categories.get(category)?.[lang] ?? category;
  const reason = out.reason;
  if (typeof reason === 'string') out.reason = reasonWording(reason, lang, w) ?? reason;
  return out;
}
