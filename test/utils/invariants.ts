import { DataSource, type EntityManager } from 'typeorm';
import { verifyChain } from '../../src/ledger/domain/chain-verifier.js';
import { serialQuery, streamBlocks, streamEvents } from '../../src/ledger/ledger-verifier.service.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

/**
 * The SPEC.md invariants that SQL can check, for the fault-injection tests (kill a worker, a database,
 * Redis; then call `assertInvariants`). All checks read one REPEATABLE READ snapshot, so a worker still
 * running cannot make a consistent database look broken. Invariant 3 (allocation never skips) and 4
 * (queue numbers) need the ranking: tests compare the referrals with the pure `allocate()` instead.
 *
 * Offending rows are named by their ids only (never IINs, names or phones).
 */

const LIVE = LIVE_REFERRAL_STATUSES_SQL;

interface Check {
  /** What must hold (the SPEC invariant number in brackets). */
  name: string;
  /** Rows that break it (any columns; ids only). */
  sql: string;
}

/** Rows where the maintained queue counts (queue_count, queue_org_count) differ from a recount of `application`. */
export const COUNT_DRIFT = `
  WITH want AS (SELECT locality, cohort, priority_class, queue_bucket(registered_at) AS bucket, count(*)::int AS n
                FROM application WHERE status = 'QUEUED' GROUP BY 1, 2, 3, 4),
       want_org AS (SELECT locality, cohort, priority_class, o AS organization_id, queue_bucket(registered_at) AS bucket, count(*)::int AS n
                    FROM application CROSS JOIN LATERAL unnest(queue_org_keys(organization_ids)) AS o WHERE status = 'QUEUED'
                    GROUP BY 1, 2, 3, 4, 5)
  SELECT 'class' AS kind, coalesce(w.locality, c.locality) AS locality, coalesce(w.cohort, c.cohort) AS cohort,
         coalesce(w.bucket, c.bucket) AS bucket, w.n AS want, c.n AS have
  FROM want w FULL JOIN (SELECT locality, cohort, priority_class, bucket, sum(n)::int AS n FROM queue_count GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0) c
    USING (locality, cohort, priority_class, bucket)
  WHERE w.n IS DISTINCT FROM c.n
  UNION ALL
  SELECT 'organization', coalesce(w.locality, c.locality), coalesce(w.cohort, c.cohort), coalesce(w.bucket, c.bucket), w.n, c.n
  FROM want_org w FULL JOIN (SELECT locality, cohort, priority_class, organization_id, bucket, sum(n)::int AS n FROM queue_org_count GROUP BY 1, 2, 3, 4, 5
              HAVING sum(n) <> 0) c
    USING (locality, cohort, priority_class, organization_id, bucket)
  WHERE w.n IS DISTINCT FROM c.n`;

const CHECKS: Check[] = [
  // 1. A child has at most one live application.
  {
    name: '[1] a child has at most one live application',
    sql: `SELECT array_agg(id ORDER BY id) AS applications FROM application WHERE status <> 'ARCHIVED'
          GROUP BY child_iin HAVING count(*) > 1`,
  },
  // 4. Queue numbers come from maintained counts: they must equal a recount.
  { name: '[4] the maintained queue counts equal a recount of the QUEUED applications', sql: COUNT_DRIFT },
  // 2. At most one live referral per application and per vacancy; statuses agree with it.
  {
    name: '[2] an application has at most one live referral',
    sql: `SELECT application_id, count(*)::int AS live FROM referral WHERE status IN ${LIVE}
          GROUP BY application_id HAVING count(*) > 1`,
  },
  {
    name: '[2] a vacancy has at most one live referral',
    sql: `SELECT vacancy_id, count(*)::int AS live FROM referral WHERE status IN ${LIVE}
          GROUP BY vacancy_id HAVING count(*) > 1`,
  },
  {
    name: '[2] an application is REFERRED exactly when it has a live referral',
    sql: `SELECT a.id, a.status, (SELECT count(*)::int FROM referral r WHERE r.application_id = a.id AND r.status IN ${LIVE}) AS live
          FROM application a
          WHERE (a.status = 'REFERRED') <> EXISTS (SELECT 1 FROM referral r WHERE r.application_id = a.id AND r.status IN ${LIVE})`,
  },
  {
    name: '[2] a vacancy is BOOKED/REFERRED exactly when its live referral is BOOKED/OFFERED|CONFIRMED',
    sql: `SELECT v.id, v.status, r.status AS referral FROM vacancy v
          LEFT JOIN referral r ON r.vacancy_id = v.id AND r.status IN ${LIVE}
          WHERE NOT ((v.status = 'BOOKED' AND r.status = 'BOOKED')
                  OR (v.status = 'REFERRED' AND r.status IN ('OFFERED','CONFIRMED'))
                  OR (v.status IN ('PUBLISHED','FILLED','REVOKED') AND r.id IS NULL))`,
  },
  {
    name: '[2] a place is FILLED exactly when it has one ENROLLED referral',
    sql: `SELECT v.id, v.status, (SELECT count(*)::int FROM referral r WHERE r.vacancy_id = v.id AND r.status = 'ENROLLED') AS enrolled
          FROM vacancy v
          WHERE (v.status = 'FILLED') <> ((SELECT count(*) FROM referral r WHERE r.vacancy_id = v.id AND r.status = 'ENROLLED') = 1)`,
  },
  {
    name: 'an application is STOP_LISTED exactly when it has one open stop-list entry',
    sql: `SELECT a.id, a.status FROM application a
          WHERE (a.status = 'STOP_LISTED') <> EXISTS (SELECT 1 FROM stop_list_entry s WHERE s.application_id = a.id AND s.ended_at IS NULL)`,
  },
  // Bulletins: a protocol frozen once per day, each place in it once, positions 1..n.
  {
    name: 'a place is in at most one bulletin of each kind',
    sql: `SELECT vacancy_id, kind, count(*)::int AS n FROM bulletin_entry GROUP BY vacancy_id, kind HAVING count(*) > 1`,
  },
  {
    name: 'bulletin positions are 1..n and the publication row counts them',
    sql: `SELECT e.bulletin_date, e.kind, count(*)::int AS entries, min(e.position) AS first, max(e.position) AS last, p.entries AS published
          FROM bulletin_entry e LEFT JOIN bulletin_publication p ON p.bulletin_date = e.bulletin_date AND p.kind = e.kind
          GROUP BY e.bulletin_date, e.kind, p.entries
          HAVING min(e.position) <> 1 OR max(e.position) <> count(*) OR count(DISTINCT e.position) <> count(*)
              OR p.entries IS DISTINCT FROM count(*)::int`,
  },
  {
    name: 'a publication row without entries says 0',
    sql: `SELECT p.bulletin_date, p.kind, p.entries FROM bulletin_publication p
          WHERE p.entries <> 0 AND NOT EXISTS (SELECT 1 FROM bulletin_entry e WHERE e.bulletin_date = p.bulletin_date AND e.kind = p.kind)`,
  },
  {
    name: "a place's bulletin_date is the date of its VACATED bulletin entry",
    sql: `SELECT v.id, v.bulletin_date, e.bulletin_date AS entry_date FROM vacancy v
          LEFT JOIN bulletin_entry e ON e.vacancy_id = v.id AND e.kind = 'VACATED'
          WHERE v.bulletin_date IS DISTINCT FROM e.bulletin_date`,
  },
  {
    name: 'a referral is only issued for a place of a published VACATED bulletin',
    sql: `SELECT r.id, r.vacancy_id FROM referral r
          WHERE NOT EXISTS (SELECT 1 FROM bulletin_entry e JOIN bulletin_publication p ON p.bulletin_date = e.bulletin_date AND p.kind = e.kind
                            WHERE e.vacancy_id = r.vacancy_id AND e.kind = 'VACATED')`,
  },
  // 5. Every state change is in the ledger (same transaction): the rows and their events agree.
  {
    name: '[5] every application has its application.registered event',
    sql: `SELECT a.id FROM application a WHERE NOT EXISTS
            (SELECT 1 FROM ledger_event l WHERE l.entity = 'application' AND l.entity_id = a.id::text AND l.type = 'application.registered')`,
  },
  {
    name: '[5] every place has its vacancy.published event',
    sql: `SELECT v.id FROM vacancy v WHERE NOT EXISTS
            (SELECT 1 FROM ledger_event l WHERE l.entity = 'vacancy' AND l.entity_id = v.id::text AND l.type = 'vacancy.published')`,
  },
  {
    name: '[5] every referral has exactly one referral.issued event',
    sql: `SELECT r.id, (SELECT count(*)::int FROM ledger_event l WHERE l.entity = 'referral' AND l.entity_id = r.id::text
                        AND l.type = 'referral.issued') AS events
          FROM referral r
          WHERE (SELECT count(*) FROM ledger_event l WHERE l.entity = 'referral' AND l.entity_id = r.id::text AND l.type = 'referral.issued') <> 1`,
  },
  {
    name: '[5] every closed referral has the event of its final status',
    sql: `SELECT r.id, r.status FROM referral r WHERE r.status NOT IN ${LIVE} AND NOT EXISTS
            (SELECT 1 FROM ledger_event l WHERE l.entity = 'referral' AND l.entity_id = r.id::text AND l.type = 'referral.' || lower(r.status))`,
  },
  {
    name: '[5] every bulletin publication has exactly one bulletin.published event',
    sql: `SELECT p.bulletin_date, p.kind, (SELECT count(*)::int FROM ledger_event l WHERE l.entity = 'bulletin'
            AND l.type = 'bulletin.published' AND l.entity_id = to_char(p.bulletin_date, 'YYYY-MM-DD') || ':' || p.kind) AS events
          FROM bulletin_publication p
          WHERE (SELECT count(*) FROM ledger_event l WHERE l.entity = 'bulletin' AND l.type = 'bulletin.published'
                   AND l.entity_id = to_char(p.bulletin_date, 'YYYY-MM-DD') || ':' || p.kind) <> 1`,
  },
  {
    name: '[5] no bulletin.published event without its publication',
    sql: `SELECT l.seq, l.entity_id FROM ledger_event l WHERE l.entity = 'bulletin' AND l.type = 'bulletin.published'
          AND NOT EXISTS (SELECT 1 FROM bulletin_publication p WHERE to_char(p.bulletin_date, 'YYYY-MM-DD') || ':' || p.kind = l.entity_id)`,
  },
  // 6. Scheduled days are done once (the key is the primary key; checked for a changed schema).
  {
    name: '[6] a scheduled task is recorded done at most once per due instant',
    sql: `SELECT kind, due_at, count(*)::int AS n FROM scheduled_run GROUP BY kind, due_at HAVING count(*) > 1`,
  },
  // 7. Notifications: one row per stage and subject, written with the stage.
  {
    name: '[7] notification idempotency keys are unique',
    sql: `SELECT idempotency_key, count(*)::int AS n FROM notification GROUP BY idempotency_key HAVING count(*) > 1`,
  },
  {
    name: '[7] every referral issued has its REFERRAL_OFFERED/REFERRAL_BOOKED text',
    sql: `SELECT r.id FROM referral r WHERE NOT EXISTS (SELECT 1 FROM notification n
            WHERE n.idempotency_key IN ('REFERRAL_OFFERED:' || r.id, 'REFERRAL_BOOKED:' || r.id))`,
  },
  {
    name: '[7] a text marked sent was attempted and has its sending time',
    sql: `SELECT id, status, attempts FROM notification WHERE status IN ('SENT','DELIVERED') AND (sent_at IS NULL OR attempts < 1)`,
  },
];

async function checksOn(em: EntityManager): Promise<string[]> {
  const out: string[] = [];
  for (const c of CHECKS) {
    const rows: unknown[] = await em.query(`SELECT * FROM (${c.sql}) AS bad LIMIT 5`);
    if (rows.length) out.push(`${c.name}: ${JSON.stringify(rows)}`);
  }
  // One serial query function for both streams: they share the connection.
  const q = serialQuery(em);
  const ledger = await verifyChain(streamBlocks(q), streamEvents(q));
  if (!ledger.valid) out.push(`[5] the ledger verifies: ${ledger.reason ?? 'invalid'} (block ${ledger.firstInvalidSeq})`);
  return out;
}

/**
 * Every invariant that does not hold, as text (empty when all hold). Given a DataSource, reads one
 * REPEATABLE READ READ ONLY snapshot; given an EntityManager (a transaction of the caller), reads in it.
 */
export async function invariantViolations(db: DataSource | EntityManager): Promise<string[]> {
  if (!(db instanceof DataSource)) return checksOn(db);
  const qr = db.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await checksOn(qr.manager);
    } finally {
      await qr.query('COMMIT');
    }
  } finally {
    await qr.release();
  }
}

/** Fails the test with every broken invariant listed. */
export async function assertInvariants(db: DataSource | EntityManager): Promise<void> {
  expect(await invariantViolations(db)).toEqual([]);
}
