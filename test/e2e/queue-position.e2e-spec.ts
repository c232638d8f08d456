import { QueueRankingService } from '../../src/queue/queue-ranking.service.js';
import { createTestApp, ok, type TestApp } from '../utils/app.js';
import { createOrg, register } from '../utils/fixtures.js';
import { COUNT_DRIFT } from '../utils/invariants.js';

/**
 * queuePosition answers from per-class counts (no ranking of the whole queue); it must agree with the
 * full ranking (QueueRankingService.rankedQueue, the pure rankQueue over the whole queue, which open data
 * and the Application.queueNumber field use) for every application, class mix, tie and cycle position.
 */
describe('queuePosition agrees with ranking the whole queue', () => {
  let t: TestApp;
  const L = '751310000';
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('queue number, total, ahead by class and by organization, at every cycle position', async () => {
    const orgs = [await createOrg(t, 'Qarlygash', L), await createOrg(t, 'Baiterek', L), await createOrg(t, 'Aigolek', L)];
    const apps: { id: string; number: string }[] = [];
    for (let i = 0; i < 36; i++) {
      const categories = i % 7 === 3 ? ['MILITARY'] : i % 3 === 1 ? ['LARGE_FAMILY'] : [];
      const chosen = i % 4 === 0 ? [] : orgs.filter((_, k) => (i + k) % 3 !== 0);
      const a = await register(t, {
        locality: L,
        organizationIds: chosen,
        priorityCategories: categories,
      });
      apps.push(a);
      // Most claims are confirmed (class 0 or 1); some stay pending (class 2 until confirmed).
      if (categories.length && i % 5 !== 0) {
        ok(
          await t.gql(
            `mutation($a: ID!, $c: String!) { confirmPriority(applicationId: $a, category: $c, confirmed: true) { id } }`,
            { a: a.id, c: categories[0] },
            t.admin,
          ),
        );
      }
    }
    // Spread the registrations over several days (the counts are kept per registration week; a change of
    // registration time moves an application between weeks), so that weeks before, within and after each
    // application's own week all count.
    await t.ds.query(
      `UPDATE application SET registered_at = registered_at - make_interval(days => (seq % 5)::int * 4, hours => (seq % 3)::int * 7)
       WHERE locality = $1`,
      [L],
    );
    // Ties: three applications share one registration instant (the number decides), two leave the queue.
    await t.ds.query(
      `UPDATE application SET registered_at = (SELECT registered_at FROM application WHERE id = $1) WHERE id = ANY($2::uuid[])`,
      [apps[10].id, [apps[20].id, apps[2].id]],
    );
    for (const a of [apps[5], apps[17]]) {
      ok(await t.gql(`mutation($a: ID!) { withdrawApplication(id: $a) { status } }`, { a: a.id }, t.admin));
    }
    const waiting = apps.filter((a) => a !== apps[5] && a !== apps[17]);
    const classes: { priority_class: number; n: number }[] = await t.ds.query(
      `SELECT priority_class, count(*)::int AS n FROM application WHERE locality = $1 AND status = 'QUEUED' GROUP BY 1 ORDER BY 1`,
      [L],
    );
    expect(classes.map((c) => c.priority_class)).toEqual([0, 1, 2]); // every class is in the mix

    const ranking = t.app.get(QueueRankingService);
    for (const position of [0, 1, 2, 3, 7]) {
      await t.ds.query(`UPDATE queue_cycle SET position = $3 WHERE locality = $1 AND cohort = $2`, [L, 2023, position]);
      const full = await ranking.rankedQueue(L, 2023);
      expect(full.order).toHaveLength(waiting.length);
      for (const a of waiting) {
        const got = ok(
          await t.gql(
            `query($n: String) { queuePosition(number: $n) { queueNumber total aheadByClass { priorityClass count }
             positionsByOrganization { organizationId ahead } } }`,
            { n: a.number },
          ),
        ).queuePosition;
        const n = full.numberOf.get(a.id) ?? 0;
        const ahead = full.order.slice(0, n - 1);
        expect({ position, number: a.number, ...got }).toEqual({
          position,
          number: a.number,
          queueNumber: n,
          total: full.order.length,
          aheadByClass: [0, 1, 2].map((c) => ({
            priorityClass: c,
            count: ahead.filter((x) => x.priorityClass === c).length,
          })),
          positionsByOrganization: got.positionsByOrganization.map((p: { organizationId: string }) => ({
            organizationId: p.organizationId,
            ahead: ahead.filter((x) => x.organizationIds.length === 0 || x.organizationIds.includes(p.organizationId)).length,
          })),
        });
        // An application that chose kindergartens sees those; one that chose "any" sees every one of the locality.
        const own = full.order.find((x) => x.id === a.id)?.organizationIds ?? [];
        expect(got.positionsByOrganization.map((p: { organizationId: string }) => p.organizationId).sort()).toEqual(
          (own.length ? own : orgs).slice().sort(),
        );
      }
    }
    // The maintained counts agree with a recount of the rows.
    expect(await t.ds.query(COUNT_DRIFT)).toEqual([]);
  });
});
