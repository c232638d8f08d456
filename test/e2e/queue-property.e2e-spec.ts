import fc from 'fast-check';
import { rankQueue } from '../../src/queue/domain/ranking.js';
import { createTestApp, ok, type TestApp } from '../utils/app.js';
import { register } from '../utils/fixtures.js';

const CATEGORY: Record<number, string | null> = { 0: 'MILITARY', 1: 'TEACHER', 2: null };

describe('queue numbers over GraphQL agree with the pure ranking (property)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('for random classes and cycle positions, numbers are 1..N in the order of rankQueue', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(0, 1, 2, 2, 2), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        async (classes, cycle) => {
          const loc = `7533${String(run++).padStart(5, '0')}`;
          const ids: string[] = [];
          for (const c of classes) {
            const cat = CATEGORY[c];
            const a = await register(t, { locality: loc, priorityCategories: cat ? [cat] : [] });
            if (cat) {
              ok(
                await t.gql(
                  `mutation($a: ID!, $c: String!) { confirmPriority(applicationId: $a, category: $c, confirmed: true) { id } }`,
                  { a: a.id, c: cat },
                  t.admin,
                ),
              );
            }
            ids.push(a.id);
          }
          await t.ds.query(`UPDATE queue_cycle SET position = $2 WHERE locality = $1`, [loc, cycle]);
          const rows: { id: string; seq: string; priority_class: 0 | 1 | 2; registered_at: Date }[] = await t.ds.query(
            `SELECT id, seq, priority_class, registered_at FROM application WHERE locality = $1`,
            [loc],
          );
          const expected = rankQueue(
            rows.map((r) => ({ id: r.id, seq: Number(r.seq), priorityClass: r.priority_class, registeredAt: r.registered_at.getTime() })),
            cycle,
            { first: 1, general: 3 },
          ).map((r) => r.id);
          const got: [string, number][] = [];
          for (const id of ids) {
            const d = ok(await t.gql(`query($id: ID) { queuePosition(applicationId: $id) { queueNumber total } }`, { id }));
            expect(d.queuePosition.total).toBe(ids.length);
            got.push([id, d.queuePosition.queueNumber]);
          }
          expect(got.map(([, n]) => n).sort((a, b) => a - b)).toEqual(ids.map((_, i) => i + 1));
          expect(got.sort((a, b) => a[1] - b[1]).map(([id]) => id)).toEqual(expected);
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);
});
