import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { placeholders, STAGES, type Language } from './domain/stages.js';
import { render, template } from './templates.js';

const root = join(dirname(fileURLToPath(import.meta.url)), 'templates');
const LANGS: Language[] = ['kk', 'ru'];
const stagesIn = (lang: Language): string[] =>
  readdirSync(join(root, lang))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort();

const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;

describe('text templates', () => {
  it('every stage has a kk and a ru template, and there are no others', () => {
    const all = [...STAGES].sort();
    expect(stagesIn('kk')).toEqual(all);
    expect(stagesIn('ru')).toEqual(all);
  });

  it.each([...STAGES])('%s: both languages use the same placeholders', (stage) => {
    expect(placeholders(template('kk', stage))).toEqual(placeholders(template('ru', stage)));
  });

  it.each(LANGS.flatMap((l) => STAGES.map((s) => [l, s] as const)))('%s/%s is one clean sentence block', (lang, stage) => {
    const t = template(lang, stage).trim();
    expect(t).toMatch(/^Kezek: /);
    expect(t).not.toMatch(/\n/);
    expect(t).not.toMatch(/ {2}|\s[.,:;]/);
    expect(t).toMatch(/[.!]$/);
    // Each word in one script: a Latin "a" or "o" inside a Cyrillic word is a typo nobody sees.
    for (const word of t.match(/[\p{L}]+/gu) ?? []) {
      expect({
        word,
        mixed: /\p{Script=Cyrillic}/u.test(word) && /\p{Script=Latin}/u.test(word),
      }).toEqual({ word, mixed: false });
    }
    if (lang === 'kk') expect(t).toMatch(KAZAKH_LETTERS);
    else expect(t).not.toMatch(KAZAKH_LETTERS);
  });

  it.each(LANGS.flatMap((l) => STAGES.map((s) => [l, s] as const)))('%s/%s renders within 5 SMS segments', (lang, stage) => {
    const params = Object.fromEntries(
      placeholders(template(lang, stage)).map((p) => [p, p === 'organization' ? '«Балапан» бөбекжайы №123' : 'X'.repeat(16)]),
    );
    const text = render(lang, stage, params);
    expect(text).not.toMatch(/[{}]/);
    expect(text.length).toBeLessThanOrEqual(5 * 67); // UCS-2 multipart segments
  });

  it.each(LANGS.flatMap((l) => STAGES.map((s) => [l, s] as const)))(
    '%s/%s promises no personal account and hard-codes no age',
    (lang, stage) => {
      const t = template(lang, stage);
      expect(t).not.toMatch(/кабинет/i);
      expect(t).not.toMatch(/\b6\b/);
    },
  );

  it.each(LANGS.flatMap((l) => STAGES.map((s) => [l, s] as const)))(
    '%s/%s: a date is never followed by a word that needs a Kazakh case ending',
    (lang, stage) => {
      const t = template(lang, stage);
      for (const p of ['deadline', 'dueDate', 'until']) {
        if (lang === 'kk') expect(t).not.toMatch(new RegExp(`\\{${p}\\} (дейін|бастап|кейін)`));
        // a date ends its clause after a colon or dash (kk) or is read as "до/по DD.MM.YYYY включительно" (ru)
        if (t.includes(`{${p}}`) && lang === 'kk') expect(t).toMatch(new RegExp(`(— |: )\\{${p}\\}[.)]`));
      }
    },
  );

  it('categories are quoted names, not codes (the code is replaced by the name before rendering)', () => {
    expect(render('ru', 'PRIORITY_CONFIRMED', { number: 'A-1', category: 'Педагоги' })).toBe(
      'Kezek: по заявлению A-1 категория «Педагоги» подтверждена.',
    );
    expect(render('kk', 'PROOF_REQUESTED', { number: 'A-1', category: 'Педагогтер', dueDate: '08.12.2026' })).toBe(
      'Kezek: A-1 өтініші бойынша «Педагогтер» санатын растайтын құжатты ұсыныңыз. Соңғы күн — 08.12.2026.',
    );
  });

  it('a missing parameter is an error, never a half-filled text', () => {
    expect(() => render('ru', 'APPLICATION_REGISTERED', { number: 'A-1' })).toThrow(/queueNumber/);
  });
});
