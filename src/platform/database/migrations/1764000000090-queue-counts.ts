import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queue counts for positions at national size (issue 13): how many QUEUED applications each queue
 * (locality, cohort) holds per priority class and registration week, and the same per chosen organization
 * ("any in the locality" is the nil uuid). A queue number then needs the counts of the weeks before the
 * application's week (about 300 per class for a cohort registered over six years) plus a count inside its
 * own week (an index range), instead of counting a 60,000-application cohort on every request.
 *
 * Maintained by statement-level triggers on `application` in the same transaction as the change (so a
 * reader's snapshot always sees counts that agree with the rows). Each statement applies its net change per
 * key, in key order (no deadlock between two statements that both touch several keys). A bulk load that
 * disables triggers (`session_replication_role = replica`) calls `queue_count_rebuild()` afterwards.
 * The bucket of a registration is whole weeks since 1970 (`queue_bucket`): any fixed partition of the
 * registration instant works, since buckets only have to follow the order (registered_at, seq). A week
 * balances the two costs of a position: the bucket rows before it and the applications inside its own.
 *
 * Registrations all land in the current week: one counter row per (queue, class) would make every
 * registration of a queue wait for the one before it to commit (measured: 90 % of the time in row-lock
 * waits, 44 registrations/s with 32 clients). So each key has up to 16 stripes, a session writes the
 * stripe of its backend (`pg_backend_pid() % 16`), and readers sum the stripes. A stripe may go below zero
 * (an application counted in one stripe leaves through another session); only sums mean anything.
 */
export class QueueCounts1764000000090 implements MigrationInterface {
  name = 'QueueCounts1764000000090';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION queue_bucket(t timestamptz) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT floor(extract(epoch FROM t) / 604800)::int $$`);
    await q.query(`
      CREATE FUNCTION queue_bucket_start(d int) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT to_timestamp(d::double precision * 604800) $$`);
    await q.query(`
      CREATE FUNCTION queue_org_keys(orgs uuid[]) RETURNS uuid[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT CASE WHEN cardinality(orgs) = 0 THEN ARRAY['00000000-0000-0000-0000-000000000000'::uuid] ELSE orgs END $$`);
    await q.query(`
      CREATE TABLE queue_count (
        locality char(9) NOT NULL,
        cohort int NOT NULL,
        priority_class int NOT NULL,
        bucket int NOT NULL,
        stripe int NOT NULL DEFAULT 0,
        n int NOT NULL,
        PRIMARY KEY (locality, cohort, priority_class, bucket, stripe)
      )`);
    await q.query(`
      CREATE TABLE queue_org_count (
        locality char(9) NOT NULL,
        cohort int NOT NULL,
        priority_class int NOT NULL,
        organization_id uuid NOT NULL,
        bucket int NOT NULL,
        stripe int NOT NULL DEFAULT 0,
        n int NOT NULL,
        PRIMARY KEY (locality, cohort, priority_class, organization_id, bucket, stripe)
      )`);
    // Net change of one statement: rows leaving QUEUED (old) count -1, rows entering it (new) +1; an update
    // that changes nothing the counts see nets to zero and writes nothing.
    await q.query(`
      CREATE FUNCTION queue_count_apply(changes jsonb) RETURNS void LANGUAGE sql AS $$
        WITH d AS (
          SELECT x.locality, x.cohort, x.priority_class, x.registered_at, x.organization_ids, x.delta
          FROM jsonb_to_recordset(changes) AS x(locality char(9), cohort int, priority_class int, registered_at timestamptz,
                                                organization_ids uuid[], delta int)
        ), c AS (
          INSERT INTO queue_count AS c (locality, cohort, priority_class, bucket, stripe, n)
          SELECT locality, cohort, priority_class, queue_bucket(registered_at), pg_backend_pid() % 16, sum(delta) FROM d
          GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
          ON CONFLICT (locality, cohort, priority_class, bucket, stripe) DO UPDATE SET n = c.n + EXCLUDED.n
          RETURNING 1
        )
        INSERT INTO queue_org_count AS c (locality, cohort, priority_class, organization_id, bucket, stripe, n)
        SELECT locality, cohort, priority_class, o, queue_bucket(registered_at), pg_backend_pid() % 16, sum(delta)
        FROM d CROSS JOIN LATERAL unnest(queue_org_keys(organization_ids)) AS o
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (locality, cohort, priority_class, organization_id, bucket, stripe) DO UPDATE SET n = c.n + EXCLUDED.n
      $$`);
    await q.query(`
      CREATE FUNCTION queue_count_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM queue_count_apply((SELECT jsonb_agg(jsonb_build_object('locality', locality, 'cohort', cohort,
            'priority_class', priority_class, 'registered_at', registered_at, 'organization_ids', organization_ids, 'delta', 1))
          FROM new_rows WHERE status = 'QUEUED'))
        WHERE EXISTS (SELECT 1 FROM new_rows WHERE status = 'QUEUED');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION queue_count_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM queue_count_apply((SELECT jsonb_agg(jsonb_build_object('locality', locality, 'cohort', cohort,
            'priority_class', priority_class, 'registered_at', registered_at, 'organization_ids', organization_ids, 'delta', -1))
          FROM old_rows WHERE status = 'QUEUED'))
        WHERE EXISTS (SELECT 1 FROM old_rows WHERE status = 'QUEUED');
        RETURN NULL;
      END $$`);
    // Only rows whose counted attributes changed (status, class, queue, registration time, choices).
    await q.query(`
      CREATE FUNCTION queue_count_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE changes jsonb;
      BEGIN
        WITH moved AS (
          SELECT o.status AS os, o.locality AS ol, o.cohort AS oc, o.priority_class AS op, o.registered_at AS ort, o.organization_ids AS oo,
                 n.status AS ns, n.locality AS nl, n.cohort AS nc, n.priority_class AS np, n.registered_at AS nrt, n.organization_ids AS no
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE (o.status = 'QUEUED' OR n.status = 'QUEUED')
            AND (o.status, o.locality, o.cohort, o.priority_class, o.registered_at, o.organization_ids)
                IS DISTINCT FROM (n.status, n.locality, n.cohort, n.priority_class, n.registered_at, n.organization_ids)
        )
        SELECT jsonb_agg(x) INTO changes FROM (
          SELECT jsonb_build_object('locality', ol, 'cohort', oc, 'priority_class', op, 'registered_at', ort, 'organization_ids', oo, 'delta', -1) AS x
          FROM moved WHERE os = 'QUEUED'
          UNION ALL
          SELECT jsonb_build_object('locality', nl, 'cohort', nc, 'priority_class', np, 'registered_at', nrt, 'organization_ids', no, 'delta', 1)
          FROM moved WHERE ns = 'QUEUED'
        ) s;
        IF changes IS NOT NULL THEN PERFORM queue_count_apply(changes); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER trg_queue_count_insert AFTER INSERT ON application REFERENCING NEW TABLE AS new_rows
                   FOR EACH STATEMENT EXECUTE FUNCTION queue_count_on_insert()`);
    await q.query(`CREATE TRIGGER trg_queue_count_update AFTER UPDATE ON application REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                   FOR EACH STATEMENT EXECUTE FUNCTION queue_count_on_update()`);
    await q.query(`CREATE TRIGGER trg_queue_count_delete AFTER DELETE ON application REFERENCING OLD TABLE AS old_rows
                   FOR EACH STATEMENT EXECUTE FUNCTION queue_count_on_delete()`);
    // Recount from the rows (after a bulk load with triggers off, or to repair); takes the table lock so
    // no change slips between the recount and the rows.
    await q.query(`
      CREATE FUNCTION queue_count_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        LOCK TABLE application IN SHARE MODE;
        DELETE FROM queue_count;
        DELETE FROM queue_org_count;
        INSERT INTO queue_count (locality, cohort, priority_class, bucket, n)
        SELECT locality, cohort, priority_class, queue_bucket(registered_at), count(*) FROM application WHERE status = 'QUEUED'
        GROUP BY 1, 2, 3, 4;
        INSERT INTO queue_org_count (locality, cohort, priority_class, organization_id, bucket, n)
        SELECT locality, cohort, priority_class, o, queue_bucket(registered_at), count(*)
        FROM application CROSS JOIN LATERAL unnest(queue_org_keys(organization_ids)) AS o WHERE status = 'QUEUED'
        GROUP BY 1, 2, 3, 4, 5;
      END $$`);

    // Where one QUEUED application stands (null row fields when it is not QUEUED): per-class totals of its queue,
    // `idx` = applications of its own class before it, the queue's cycle position, the applications of each
    // class ahead of it (port of domain/ranking.ts aheadFromCounts; the service checks both agree) and, when
    // asked, per organization (its choices, or every organization of the locality for "any") how many of those
    // ahead would take a place there. STABLE: every query inside sees the caller's snapshot, so one statement
    // gives one consistent answer. Cost: the queue's week counts plus the index entries of one week; with
    // `with_orgs` also the per-organization week counts before each class's boundary (only when a caller asks).
    await q.query(`
      CREATE FUNCTION queue_standing(app_id uuid, ratio_first int, ratio_general int, with_orgs boolean)
      RETURNS TABLE (cls int, idx int, n0 int, n1 int, n2 int, cycle int, ahead int[], organizations jsonb)
      LANGUAGE plpgsql STABLE AS $$
      DECLARE
        a record;
        d int;
        len int := ratio_first + ratio_general;
        own int; oth int; k int; rounds int; lft int; bef bigint; qp int; turn int;
        bbuckets int[] := ARRAY[NULL, NULL, NULL]::int[];
        rests int[] := ARRAY[0, 0, 0];
        b record;
        orgs uuid[];
      BEGIN
        SELECT x.locality, x.cohort, x.priority_class, x.registered_at, date_trunc('milliseconds', x.registered_at) AS t, x.seq,
               x.organization_ids
          INTO a FROM application x WHERE x.id = app_id AND x.status = 'QUEUED';
        IF NOT FOUND THEN RETURN; END IF;
        cls := a.priority_class;
        d := queue_bucket(a.registered_at);
        SELECT coalesce(sum(c.n) FILTER (WHERE c.priority_class = 0), 0)::int,
               coalesce(sum(c.n) FILTER (WHERE c.priority_class = 1), 0)::int,
               coalesce(sum(c.n) FILTER (WHERE c.priority_class = 2), 0)::int,
               coalesce(sum(c.n) FILTER (WHERE c.priority_class = a.priority_class AND c.bucket < d), 0)::int
          INTO n0, n1, n2, idx
          FROM queue_count c WHERE c.locality = a.locality AND c.cohort = a.cohort;
        idx := idx + (SELECT count(*)::int FROM application x
                      WHERE x.locality = a.locality AND x.cohort = a.cohort AND x.status = 'QUEUED' AND x.priority_class = a.priority_class
                        AND x.registered_at >= queue_bucket_start(d) AND x.registered_at < a.registered_at + interval '1 millisecond'
                        AND (date_trunc('milliseconds', x.registered_at), x.seq) < (a.t, a.seq));
        cycle := coalesce((SELECT position FROM queue_cycle c WHERE c.locality = a.locality AND c.cohort = a.cohort), 0);
        IF cls = 0 THEN
          ahead := ARRAY[idx, 0, 0];
        ELSE
          own := CASE WHEN cls = 1 THEN ratio_first ELSE ratio_general END;
          oth := len - own;
          IF own = 0 THEN bef := 2147483647;
          ELSIF oth = 0 THEN bef := 0;
          ELSE
            k := idx + 1;
            rounds := (k - 1) / own;
            lft := k - rounds * own;
            bef := rounds::bigint * oth;
            qp := ((cycle % len) + len) % len;
            LOOP
              turn := CASE WHEN qp < ratio_first THEN 1 ELSE 2 END;
              IF turn = cls THEN
                lft := lft - 1;
                EXIT WHEN lft = 0;
              ELSE
                bef := bef + 1;
              END IF;
              qp := (qp + 1) % len;
            END LOOP;
          END IF;
          IF cls = 1 THEN ahead := ARRAY[n0, idx, least(n2, bef)::int];
          ELSE ahead := ARRAY[n0, least(n1, bef)::int, idx];
          END IF;
        END IF;
        IF NOT with_orgs THEN RETURN NEXT; RETURN; END IF;

        orgs := CASE WHEN cardinality(a.organization_ids) > 0 THEN a.organization_ids
                     ELSE ARRAY(SELECT o.id FROM organization o WHERE o.locality = a.locality ORDER BY o.name, o.id) END;
        -- The ahead of class k are its first ahead[k] applications: find the bucket holding the last of them.
        FOR k IN 0..2 LOOP
          CONTINUE WHEN ahead[k + 1] = 0;
          SELECT s.bucket AS bbucket, (ahead[k + 1] - (s.cum - s.n))::int AS rest INTO b FROM (
            SELECT g.bucket, g.n, sum(g.n) OVER (ORDER BY g.bucket) AS cum FROM (
              SELECT c.bucket, sum(c.n) AS n FROM queue_count c
              WHERE c.locality = a.locality AND c.cohort = a.cohort AND c.priority_class = k
              GROUP BY c.bucket HAVING sum(c.n) <> 0
            ) g
          ) s WHERE s.cum >= ahead[k + 1] ORDER BY s.bucket LIMIT 1;
          bbuckets[k + 1] := b.bbucket;
          rests[k + 1] := b.rest;
        END LOOP;
        WITH bound AS (
          SELECT u.k - 1 AS k, u.bbucket, u.rest FROM unnest(bbuckets, rests) WITH ORDINALITY AS u(bbucket, rest, k) WHERE u.bbucket IS NOT NULL
        ), before AS (
          SELECT c.organization_id AS org, sum(c.n)::int AS n FROM bound
          JOIN queue_org_count c ON c.locality = a.locality AND c.cohort = a.cohort AND c.priority_class = bound.k AND c.bucket < bound.bbucket
          WHERE c.organization_id = ANY(orgs || '00000000-0000-0000-0000-000000000000'::uuid)
          GROUP BY 1
        ), inbucket AS (
          SELECT o AS org, count(*)::int AS n FROM bound
          CROSS JOIN LATERAL (
            SELECT x.organization_ids FROM application x
            WHERE x.locality = a.locality AND x.cohort = a.cohort AND x.status = 'QUEUED' AND x.priority_class = bound.k
              AND x.registered_at >= queue_bucket_start(bound.bbucket) AND x.registered_at < queue_bucket_start(bound.bbucket + 1)
            ORDER BY date_trunc('milliseconds', x.registered_at), x.seq LIMIT bound.rest
          ) r CROSS JOIN LATERAL unnest(queue_org_keys(r.organization_ids)) AS o
          GROUP BY 1
        ), total AS (
          SELECT org, sum(n)::int AS n FROM (SELECT * FROM before UNION ALL SELECT * FROM inbucket) z GROUP BY org
        )
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'name', coalesce(g.name, ''),
                 'ahead', coalesce(t.n, 0) + coalesce(anyone.n, 0)) ORDER BY o.ord), '[]'::jsonb)
          INTO organizations
          FROM unnest(orgs) WITH ORDINALITY AS o(id, ord)
          LEFT JOIN organization g ON g.id = o.id
          LEFT JOIN total t ON t.org = o.id
          LEFT JOIN total anyone ON anyone.org = '00000000-0000-0000-0000-000000000000'::uuid;
        RETURN NEXT;
      END $$`);
    await q.query(`SELECT queue_count_rebuild()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER trg_queue_count_insert ON application`);
    await q.query(`DROP TRIGGER trg_queue_count_update ON application`);
    await q.query(`DROP TRIGGER trg_queue_count_delete ON application`);
    await q.query(`DROP FUNCTION queue_standing(uuid, int, int, boolean)`);
    await q.query(`DROP FUNCTION queue_count_rebuild(), queue_count_on_insert(), queue_count_on_update(), queue_count_on_delete(),
                   queue_count_apply(jsonb)`);
    await q.query(`DROP TABLE queue_org_count, queue_count`);
    await q.query(`DROP FUNCTION queue_org_keys(uuid[]), queue_bucket_start(int), queue_bucket(timestamptz)`);
  }
}
