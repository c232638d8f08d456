import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, isEnumType } from 'graphql';
import { LABEL_LANGUAGES, labelLanguage } from '../../platform/identifiers/label-text.js';
import { ENUM_LABELS, labelsIn } from './catalog.js';

/** The committed schema (regenerated at every start): every enum a client can receive. */
const schema = buildSchema(readFileSync(join(process.cwd(), 'schema.gql'), 'utf8'));
const enums = Object.values(schema.getTypeMap()).filter((t) => isEnumType(t) && !t.name.startsWith('__'));

describe('labels', () => {
  it('the schema has enums to label', () => {
    expect(enums.length).toBeGreaterThan(10);
  });

  it.each(enums.map((e) => [e.name, e]))('every value of %s has a non-empty kk, ru and en label', (name, type) => {
    if (!isEnumType(type)) throw new Error('not an enum');
    const labels = ENUM_LABELS[name];
    expect(labels).toBeDefined();
    for (const v of type.getValues()) {
      for (const lang of LABEL_LANGUAGES) {
        expect([v.name, lang, labels?.[v.value as string]?.[lang]?.trim() || undefined]).toEqual([v.name, lang, expect.any(String)]);
      }
    }
    // and no label for a value the schema does not have
    expect(Object.keys(labels ?? {}).sort()).toEqual(
      type
        .getValues()
        .map((v) => String(v.value))
        .sort(),
    );
  });

  it('labels no enum the schema does not have', () => {
    expect(Object.keys(ENUM_LABELS).filter((n) => !enums.some((e) => e.name === n))).toEqual([]);
  });

  it('Kazakh and Russian texts are in Cyrillic and differ from English', () => {
    for (const set of Object.values(ENUM_LABELS)) {
      for (const t of Object.values(set)) {
        expect(t.kk).toMatch(/[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]/);
        expect(t.ru).toMatch(/[А-Яа-яЁё]/);
        expect(t.en).not.toMatch(/[А-Яа-я]/);
      }
    }
  });

  it('the language is read case-insensitively; another is refused', () => {
    expect(labelLanguage('KK')).toBe('kk');
    expect(labelLanguage(' Ru ')).toBe('ru');
    expect(labelLanguage('en')).toBe('en');
    expect(labelLanguage('de')).toBeNull();
    expect(labelLanguage('')).toBeNull();
  });

  it('categories follow the enums, with the table’s kk/ru names and an English name (Russian when none is known)', () => {
    const cats = [
      { code: 'ORPHAN', nameKk: 'Жетім балалар', nameRu: 'Дети-сироты' },
      { code: 'NEW_ONE', nameKk: 'Жаңа', nameRu: 'Новая' },
    ];
    const en = labelsIn('en', cats).filter((l) => l.type === 'PriorityCategory');
    expect(en).toEqual([
      { type: 'PriorityCategory', value: 'ORPHAN', text: 'Orphans' },
      { type: 'PriorityCategory', value: 'NEW_ONE', text: 'Новая' },
    ]);
    expect(labelsIn('kk', cats).find((l) => l.value === 'ORPHAN' && l.type === 'PriorityCategory')?.text).toBe('Жетім балалар');
    expect(labelsIn('ru', []).find((l) => l.type === 'ReferralStatus' && l.value === 'EXPIRED')?.text).toBe('Срок истёк');
  });
});
