/**
 * The demo city: Almaty's five districts, kindergarten and child names, priority categories, age
 * groups, and the seeded dice every choice of the demo is drawn from (same seed, same city).
 * Pure: no I/O, no clock.
 */
export const CITY = 'Almaty';
export const DISTRICTS: { kato: string; name: string; weight: number }[] = [
  { kato: '751110000', name: 'Алатау', weight: 0.24 },
  { kato: '751210000', name: 'Алмалы', weight: 0.16 },
  { kato: '751310000', name: 'Әуезов', weight: 0.25 },
  { kato: '751410000', name: 'Бостандық', weight: 0.2 },
  { kato: '751510000', name: 'Жетісу', weight: 0.15 },
];
export const KINDERGARTEN_NAMES = [
  'Балапан',
  'Айгөлек',
  'Балдәурен',
  'Қарлығаш',
  'Ақбота',
  'Күншуақ',
  'Самал',
  'Шұғыла',
  'Нұрай',
  'Бөбек',
  'Жұлдыз',
  'Ботақан',
  'Еркетай',
  'Құлыншақ',
  'Әсем',
  'Гүлдер',
  'Мөлдір',
  'Арман',
  'Солнышко',
  'Радуга',
];
export const FIRST_NAMES = [
  'Әлихан',
  'Айару',
  'Нұрислам',
  'Томирис',
  'Алдияр',
  'Аружан',
  'Ерасыл',
  'Мадина',
  'Иван',
  'Анна',
  'Данияр',
  'Асель',
  'Тимур',
  'София',
  'Амир',
  'Камила',
];
export const CLASS0 = ['MILITARY', 'MILITARY', 'MILITARY', 'SPECIAL_STATE_BODY'];
export const CLASS1 = [
  'LARGE_FAMILY',
  'LARGE_FAMILY',
  'LARGE_FAMILY',
  'TEACHER',
  'TEACHER',
  'DISABLED_PARENT',
  'ORPHAN',
  'NO_PARENTAL_CARE',
  'SPECIAL_NEEDS',
];
/** Age groups, months on the admission start date. */
export const AGE_GROUPS: { name: string; from: number; to: number; weight: number }[] = [
  { name: 'Бөбектер тобы (1–2)', from: 12, to: 23, weight: 0.12 },
  { name: 'Кіші топ (2–3)', from: 24, to: 35, weight: 0.3 },
  { name: 'Ортаңғы топ (3–4)', from: 36, to: 47, weight: 0.3 },
  { name: 'Ересек топ (4–5)', from: 48, to: 59, weight: 0.2 },
  { name: 'Мектепалды топ (5–6)', from: 60, to: 71, weight: 0.08 },
];
export const START = '2026-09-01';
export const DAY_MS = 86_400_000;

/** mulberry32: deterministic PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(from: number, to: number): number {
    return from + Math.floor(this.next() * (to - from + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  weighted<T extends { weight: number }>(xs: readonly T[]): T {
    let r = this.next() * xs.reduce((s, x) => s + x.weight, 0);
    for (const x of xs) {
      r -= x.weight;
      if (r < 0) return x;
    }
    return xs[xs.length - 1];
  }
  sample<T>(xs: readonly T[], k: number): T[] {
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < k && pool.length) {
      out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    }
    return out;
  }
}

export const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
