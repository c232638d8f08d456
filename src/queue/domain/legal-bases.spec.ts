import { citedPara1Laws, legalBasisProblem, RULES_PARA_1_LAWS } from './legal-bases.js';

/** The legal bases as migration 1764000000100 leaves them (the e2e test reads them back over GraphQL). */
const SEEDED: Record<string, string> = {
  MILITARY: 'Law of the RK "On military service and the status of servicemen" (16.02.2012 No. 561-IV), art. 50',
  SPECIAL_STATE_BODY: 'Law of the RK "On special state bodies" (13.02.2012 No. 553-IV), art. 42',
  DISABLED_PARENT:
    'Law of the RK "On special social services" (29.12.2008 No. 114-IV); Law of the RK "On the rights of the child in the Republic of Kazakhstan" (08.08.2002 No. 345-II)',
  NO_PARENTAL_CARE:
    'Code of the RK "On marriage (matrimony) and family" (26.12.2011 No. 518-IV); Law of the RK "On the rights of the child in the Republic of Kazakhstan" (08.08.2002 No. 345-II)',
  ORPHAN: 'Code of the RK "On marriage (matrimony) and family" (26.12.2011 No. 518-IV)',
  LARGE_FAMILY: 'Code of the RK "On marriage (matrimony) and family" (26.12.2011 No. 518-IV)',
  SPECIAL_NEEDS:
    'Law of the RK "On education" (27.07.2007 No. 319-III), art. 8; Law of the RK "On social and medico-pedagogical corrective support of children with disabilities" (11.07.2002 No. 343-II)',
  TEACHER: 'Law of the RK "On the status of a teacher" (27.12.2019 No. 293-VI), art. 15',
};

describe('legal bases of the categories against paragraph 1 of the Rules', () => {
  it('paragraph 1 names ten acts; each has its kk title and the English title the bases quote', () => {
    expect(RULES_PARA_1_LAWS).toHaveLength(10);
    expect(new Set(RULES_PARA_1_LAWS.map((l) => l.en)).size).toBe(10);
  });

  it.each(Object.entries(SEEDED))('%s rests on laws named in paragraph 1', (code, basis) => {
    expect(legalBasisProblem(code, basis)).toBeNull();
  });

  it('finds the first release bases that paragraph 1 does not support', () => {
    expect(legalBasisProblem('DISABLED_PARENT', 'Social Code of the RK (20.06.2023 No. 224-VII)')).toMatch(/does not cite/);
    expect(legalBasisProblem('LARGE_FAMILY', 'Law of the RK "On state benefits to families with children" (28.06.2005 No. 63)')).toMatch(
      /not named in paragraph 1/,
    );
    expect(
      legalBasisProblem(
        'NO_PARENTAL_CARE',
        'Law of the RK "On social and medico-pedagogical corrective support of children with disabilities"; Code "On marriage (matrimony) and family"',
      ),
    ).toMatch(/does not cite CHILD_RIGHTS/);
    expect(legalBasisProblem('UNKNOWN', SEEDED.ORPHAN)).toMatch(/no expected basis/);
    expect(citedPara1Laws(SEEDED.SPECIAL_NEEDS)).toEqual(['EDUCATION', 'DISABLED_CHILDREN_SUPPORT']);
  });
});
