/**
 * The laws paragraph 1 of the Rules (Order No. 254, chapter 1, ../shared/rules/order-254-chapter-1.kk.txt)
 * names as the Rules' basis, and the ones each priority category rests on. A category's `legalBasis`
 * (seeded by the migrations) must cite at least one of these laws, and every law it is expected to cite
 * (SPEC.md "Ranking": "Categories ... with the legal basis of each (laws named in para 1)"). Pure.
 */
export interface Para1Law {
  key: string;
  /** As paragraph 1 names it (kk). */
  kk: string;
  /** The English title the `legalBasis` texts use. */
  en: string;
}

export const RULES_PARA_1_LAWS: readonly Para1Law[] = [
  { key: 'CONSTITUTION', kk: 'Қазақстан Республикасы Конституциясы', en: 'Constitution of the Republic of Kazakhstan' },
  { key: 'EDUCATION', kk: 'Білім туралы', en: 'On education' },
  { key: 'TEACHER_STATUS', kk: 'Педагог мәртебесі туралы', en: 'On the status of a teacher' },
  { key: 'SPECIAL_SOCIAL_SERVICES', kk: 'Арнаулы әлеуметтік қызметтер туралы', en: 'On special social services' },
  {
    key: 'CHILD_RIGHTS',
    kk: 'Қазақстан Республикасындағы баланың құқықтары туралы',
    en: 'On the rights of the child in the Republic of Kazakhstan',
  },
  {
    key: 'DISABLED_CHILDREN_SUPPORT',
    kk: 'Кемтар балаларды әлеуметтiк және медициналық-педагогикалық түзеу арқылы қолдау туралы',
    en: 'On social and medico-pedagogical corrective support of children with disabilities',
  },
  {
    key: 'MILITARY_SERVICE',
    kk: 'Әскери қызмет және әскери қызметшілердің мәртебесі туралы',
    en: 'On military service and the status of servicemen',
  },
  { key: 'SPECIAL_STATE_BODIES', kk: 'Қазақстан Республикасының арнаулы мемлекеттік органдары туралы', en: 'On special state bodies' },
  { key: 'STATE_SERVICES', kk: 'Мемлекеттік қызметтер көрсету туралы', en: 'On state services' },
  { key: 'MARRIAGE_FAMILY', kk: 'Неке (ерлі-зайыптылық) және отбасы туралы', en: 'On marriage (matrimony) and family' },
];

/** The para-1 laws each category rests on (its `legalBasis` must cite each of them, and no law outside para 1). */
export const CATEGORY_LAWS: Readonly<Record<string, readonly string[]>> = {
  MILITARY: ['MILITARY_SERVICE'],
  SPECIAL_STATE_BODY: ['SPECIAL_STATE_BODIES'],
  DISABLED_PARENT: ['SPECIAL_SOCIAL_SERVICES', 'CHILD_RIGHTS'],
  NO_PARENTAL_CARE: ['MARRIAGE_FAMILY', 'CHILD_RIGHTS'],
  ORPHAN: ['MARRIAGE_FAMILY'],
  LARGE_FAMILY: ['MARRIAGE_FAMILY'],
  SPECIAL_NEEDS: ['EDUCATION', 'DISABLED_CHILDREN_SUPPORT'],
  TEACHER: ['TEACHER_STATUS'],
};

/** The para-1 laws a legal-basis text cites (by their English titles in quotes), in the order of paragraph 1. */
export function citedPara1Laws(basis: string): string[] {
  return RULES_PARA_1_LAWS.filter((l) => basis.includes(`"${l.en}"`)).map((l) => l.key);
}

/** The laws a basis cites in quotes that paragraph 1 does not name (e.g. a law the Rules do not rest on). */
export function lawsOutsidePara1(basis: string): string[] {
  const quoted = [...basis.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  return quoted.filter((q) => !RULES_PARA_1_LAWS.some((l) => l.en === q));
}

/** What is wrong with a category's legal basis against paragraph 1 (null: it holds). */
export function legalBasisProblem(code: string, basis: string): string | null {
  const expected = CATEGORY_LAWS[code];
  if (!expected) return `category ${code} has no expected basis in paragraph 1`;
  const outside = lawsOutsidePara1(basis);
  if (outside.length) return `${code}: cites ${outside.map((o) => `"${o}"`).join(', ')}, not named in paragraph 1`;
  const cited = citedPara1Laws(basis);
  const missing = expected.filter((k) => !cited.includes(k));
  if (missing.length) return `${code}: does not cite ${missing.join(', ')}`;
  const other = cited.filter((k) => !expected.includes(k));
  if (other.length) return `${code}: cites ${other.join(', ')}, which the category does not rest on`;
  return null;
}
