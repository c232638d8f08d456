/**
 * One writer per table (issue 14): SQL that writes `application`, `vacancy`, `referral` (and the tables
 * that belong to their life cycles) appears only in the table's store. Migrations create and backfill
 * tables and are exempt; so are tests and benchmark seeds, which are not in `src/` or `tools/`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/** Table → the only file allowed to write it. */
const OWNERS: Record<string, string> = {
  application: 'src/queue/application.store.ts',
  category_claim: 'src/queue/application.store.ts',
  vacancy: 'src/vacancy/vacancy.store.ts',
  referral: 'src/referral/referral.store.ts',
  referral_exclusion: 'src/referral/referral.store.ts',
  stop_list_entry: 'src/referral/stop-list.service.ts',
};

/** Statements that write `table` (not `table_something`). */
export function writesTo(sql: string, table: string): boolean {
  const t = `${table}(?![\\w])`;
  return new RegExp(
    `\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|TRUNCATE(?:\\s+TABLE)?|MERGE\\s+INTO|COPY)\\s+(?:ONLY\\s+)?(?:public\\.)?"?${t}`,
    'i',
  ).test(sql);
}

function files(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !/\.spec\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const sources = ['src', 'tools']
  .filter((d) => {
    try {
      return statSync(join(ROOT, d)).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap((d) => files(join(ROOT, d)))
  .map((p) => relative(ROOT, p).split('\\').join('/'))
  .filter((p) => !p.startsWith('src/platform/database/migrations/'));

describe('one writer per table', () => {
  it('recognises writing statements and nothing else', () => {
    expect(writesTo(`UPDATE vacancy SET status = 'FILLED'`, 'vacancy')).toBe(true);
    expect(writesTo(`INSERT INTO vacancy AS v (id) VALUES ($1)`, 'vacancy')).toBe(true);
    expect(writesTo(`update  application a set status = 'QUEUED'`, 'application')).toBe(true);
    expect(writesTo(`DELETE FROM referral WHERE id = $1`, 'referral')).toBe(true);
    expect(writesTo(`INSERT INTO referral_exclusion (a, b) VALUES ($1, $2)`, 'referral')).toBe(false);
    expect(writesTo(`SELECT * FROM application a JOIN vacancy v ON true`, 'application')).toBe(false);
    expect(writesTo(`UPDATE allocation_task SET status = 'DONE'`, 'application')).toBe(false);
  });

  it('finds the sources it checks', () => {
    expect(sources).toContain(OWNERS.application);
    expect(sources.length).toBeGreaterThan(50);
  });

  for (const [table, owner] of Object.entries(OWNERS)) {
    it(`${table} is written only by ${owner}`, () => {
      const writers = sources.filter((p) => writesTo(readFileSync(join(ROOT, p), 'utf8'), table));
      expect(writers).toEqual([owner]);
    });
  }
});
