import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15, item 14.
 *
 * 1. The legal bases of the priority categories cite the laws paragraph 1 of the Rules names (checked by
 *    src/queue/domain/legal-bases.ts): the first release cited the Social Code and the law on state
 *    benefits (not in paragraph 1) and gave children left without parental care the law on children with
 *    disabilities.
 * 2. `age_in_months(birth, on)`: completed months, exactly as the TypeScript `ageInMonths`
 *    (src/platform/identifiers/iin.ts): (y2 − y1)·12 + (m2 − m1) − (d2 < d1 ? 1 : 0). So a child born on
 *    29 February completes its years on 1 March of a common year in SQL too (PostgreSQL's
 *    `date + interval 'N years'` gives 28 February: the age-out sweep archived such a child a day early).
 */
const BASES: [string, string, string][] = [
  [
    'DISABLED_PARENT',
    'Law of the RK "On special social services" (29.12.2008 No. 114-IV); Law of the RK "On the rights of the child in the Republic of Kazakhstan" (08.08.2002 No. 345-II)',
    'Social Code of the RK (20.06.2023 No. 224-VII)',
  ],
  [
    'NO_PARENTAL_CARE',
    'Code of the RK "On marriage (matrimony) and family" (26.12.2011 No. 518-IV); Law of the RK "On the rights of the child in the Republic of Kazakhstan" (08.08.2002 No. 345-II)',
    'Law of the RK "On social and medico-pedagogical corrective support of children with disabilities"; Code "On marriage (matrimony) and family"',
  ],
  [
    'LARGE_FAMILY',
    'Code of the RK "On marriage (matrimony) and family" (26.12.2011 No. 518-IV)',
    'Law of the RK "On state benefits to families with children" (28.06.2005 No. 63)',
  ],
  [
    'SPECIAL_NEEDS',
    'Law of the RK "On education" (27.07.2007 No. 319-III), art. 8; Law of the RK "On social and medico-pedagogical corrective support of children with disabilities" (11.07.2002 No. 343-II)',
    'Law of the RK "On education" (27.07.2007 No. 319-III), art. 8',
  ],
];

export class CategoriesAndAge1764000000100 implements MigrationInterface {
  name = 'CategoriesAndAge1764000000100';

  async up(q: QueryRunner): Promise<void> {
    for (const [code, basis] of BASES) {
      await q.query(`UPDATE priority_category SET legal_basis = $2 WHERE code = $1`, [code, basis]);
    }
    await q.query(`
      CREATE FUNCTION age_in_months(birth date, on_date date) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ((extract(year FROM on_date) - extract(year FROM birth)) * 12 + (extract(month FROM on_date) - extract(month FROM birth))
                    - CASE WHEN extract(day FROM on_date) < extract(day FROM birth) THEN 1 ELSE 0 END)::int $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION age_in_months(date, date)`);
    for (const [code, , previous] of BASES) {
      await q.query(`UPDATE priority_category SET legal_basis = $2 WHERE code = $1`, [code, previous]);
    }
  }
}
