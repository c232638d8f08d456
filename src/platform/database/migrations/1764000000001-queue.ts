import type { MigrationInterface, QueryRunner } from 'typeorm';

const CATEGORIES: [string, number, string, string, string][] = [
  [
    'MILITARY',
    0,
    'Law of the RK "On military service and the status of servicemen" (16.02.2012 No. 561-IV), art. 50',
    'Әскери қызметшілердің (оның ішінде мерзімді қызметтегі) балалары',
    'Дети военнослужащих (в том числе срочной службы)',
  ],
  [
    'SPECIAL_STATE_BODY',
    0,
    'Law of the RK "On special state bodies" (13.02.2012 No. 553-IV), art. 42',
    'Арнаулы мемлекеттік органдар қызметкерлерінің балалары',
    'Дети сотрудников специальных государственных органов',
  ],
  [
    'DISABLED_PARENT',
    1,
    'Social Code of the RK (20.06.2023 No. 224-VII)',
    'Заңды өкілдері мүгедектігі бар балалар',
    'Дети, законные представители которых являются лицами с инвалидностью',
  ],
  [
    'NO_PARENTAL_CARE',
    1,
    'Law of the RK "On social and medico-pedagogical corrective support of children with disabilities"; Code "On marriage (matrimony) and family"',
    'Ата-анасының қамқорлығынсыз қалған балалар',
    'Дети, оставшиеся без попечения родителей',
  ],
  ['ORPHAN', 1, 'Code of the RK "On marriage (matrimony) and family" (26.12.2011 No. 518-IV)', 'Жетім балалар', 'Дети-сироты'],
  [
    'LARGE_FAMILY',
    1,
    'Law of the RK "On state benefits to families with children" (28.06.2005 No. 63)',
    'Көпбалалы отбасылардың балалары',
    'Дети из многодетных семей',
  ],
  [
    'SPECIAL_NEEDS',
    1,
    'Law of the RK "On education" (27.07.2007 No. 319-III), art. 8',
    'Ерекше білім беру қажеттіліктері бар балалар',
    'Дети с особыми образовательными потребностями',
  ],
  ['TEACHER', 1, 'Law of the RK "On the status of a teacher" (27.12.2019 No. 293-VI), art. 15', 'Педагогтердің балалары', 'Дети педагогов'],
];

/** Queue, vacancies, referrals, stop-list, notifications, proactive offers. */
export class Queue1764000000001 implements MigrationInterface {
  name = 'Queue1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE priority_category (
        code text PRIMARY KEY,
        priority_class int NOT NULL CHECK (priority_class IN (0, 1)),
        legal_basis text NOT NULL,
        name_kk text NOT NULL,
        name_ru text NOT NULL
      )`);
    for (const c of CATEGORIES) {
      await q.query(`INSERT INTO priority_category (code, priority_class, legal_basis, name_kk, name_ru) VALUES ($1,$2,$3,$4,$5)`, c);
    }
    await q.query(`CREATE SEQUENCE application_seq START 1000`);
    await q.query(`
      CREATE TABLE application (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint NOT NULL UNIQUE DEFAULT nextval('application_seq'),
        number text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('QUEUED','REFERRED','STOP_LISTED','ARCHIVED')),
        registered_at timestamptz NOT NULL,
        child_iin char(12) NOT NULL CHECK (child_iin ~ '^[0-9]{12}$'),
        child_name text NOT NULL,
        child_birth_date date NOT NULL,
        cohort int NOT NULL,
        applicant_iin char(12) NOT NULL CHECK (applicant_iin ~ '^[0-9]{12}$'),
        phone text NOT NULL CHECK (phone ~ '^\\+77[0-9]{9}$'),
        locality char(9) NOT NULL CHECK (locality ~ '^[0-9]{9}$'),
        organization_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(organization_ids) <= 4),
        language text NOT NULL,
        group_type text NOT NULL CHECK (group_type IN ('GENERAL','SPECIAL')),
        work_modes text[] NOT NULL CHECK (cardinality(work_modes) >= 1),
        desired_admission_date date NOT NULL,
        accepts_temporary_stay boolean NOT NULL DEFAULT false,
        notification_language text NOT NULL CHECK (notification_language IN ('kk','ru')),
        priority_class int NOT NULL DEFAULT 2 CHECK (priority_class IN (0,1,2)),
        special_needs_confirmed boolean NOT NULL DEFAULT false,
        batch_id uuid,
        archive_reason text CHECK (archive_reason IN ('ENROLLED','WITHDRAWN','AGED_OUT','DUPLICATE','OTHER')),
        archived_at timestamptz,
        archived_by text,
        stop_list_reason text,
        stop_listed_until date,
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT ck_application_archive CHECK ((status = 'ARCHIVED') = (archive_reason IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_application_live_child ON application (child_iin) WHERE status <> 'ARCHIVED'`);
    await q.query(`CREATE INDEX ix_application_queue ON application (locality, cohort, status, priority_class, registered_at, seq)`);
    await q.query(`CREATE INDEX ix_application_applicant ON application (applicant_iin)`);
    await q.query(`CREATE INDEX ix_application_batch ON application (batch_id) WHERE batch_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE category_claim (
        application_id uuid NOT NULL REFERENCES application(id) ON DELETE CASCADE,
        category_code text NOT NULL REFERENCES priority_category(code),
        status text NOT NULL CHECK (status IN ('PENDING','CONFIRMED','REJECTED','LAPSED')),
        claimed_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        decided_at timestamptz,
        decided_by text,
        PRIMARY KEY (application_id, category_code)
      )`);
    await q.query(`CREATE INDEX ix_category_claim_pending ON category_claim (due_at) WHERE status = 'PENDING'`);
    await q.query(`
      CREATE TABLE queue_cycle (
        locality char(9) NOT NULL,
        cohort int NOT NULL,
        position int NOT NULL DEFAULT 0 CHECK (position >= 0),
        PRIMARY KEY (locality, cohort)
      )`);
    await q.query(`CREATE SEQUENCE vacancy_seq START 1`);
    await q.query(`
      CREATE TABLE vacancy (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint NOT NULL UNIQUE DEFAULT nextval('vacancy_seq'),
        organization_id uuid NOT NULL REFERENCES organization(id),
        locality char(9) NOT NULL,
        status text NOT NULL CHECK (status IN ('PUBLISHED','BOOKED','REFERRED','FILLED','REVOKED')),
        age_group text NOT NULL,
        language text NOT NULL,
        age_from_months int NOT NULL CHECK (age_from_months >= 0),
        age_to_months int NOT NULL,
        group_type text NOT NULL CHECK (group_type IN ('GENERAL','SPECIAL')),
        work_mode text NOT NULL CHECK (work_mode IN ('FULL_DAY','HALF_DAY','ROUND_THE_CLOCK')),
        admission_mode text NOT NULL CHECK (admission_mode IN ('GENERAL','EARLY_BOOKING','TEMPORARY_STAY')),
        admission_start_date date NOT NULL,
        attendance_until date,
        published_at timestamptz NOT NULL,
        published_by text NOT NULL,
        vacated_at timestamptz,
        revoked_at timestamptz,
        revoke_reason text,
        bulletin_date date,
        open_at timestamptz,
        CONSTRAINT ck_vacancy_age CHECK (age_from_months <= age_to_months),
        CONSTRAINT ck_vacancy_temporary CHECK (
          (admission_mode = 'TEMPORARY_STAY') = (attendance_until IS NOT NULL)
          AND (attendance_until IS NULL OR attendance_until > admission_start_date))
      )`);
    await q.query(`CREATE INDEX ix_vacancy_org ON vacancy (organization_id, status, seq)`);
    await q.query(`CREATE INDEX ix_vacancy_locality ON vacancy (locality, status, seq)`);
    await q.query(`
      CREATE TABLE bulletin_entry (
        bulletin_date date NOT NULL,
        kind text NOT NULL CHECK (kind IN ('VACATED','REVOKED')),
        position int NOT NULL,
        at timestamptz NOT NULL,
        vacancy_id uuid NOT NULL REFERENCES vacancy(id),
        locality char(9) NOT NULL,
        PRIMARY KEY (bulletin_date, kind, position),
        CONSTRAINT uq_bulletin_vacancy UNIQUE (bulletin_date, kind, vacancy_id)
      )`);
    await q.query(`
      CREATE TABLE bulletin_publication (
        bulletin_date date NOT NULL,
        kind text NOT NULL,
        published_at timestamptz NOT NULL,
        entries int NOT NULL,
        ledger_length bigint NOT NULL,
        ledger_head char(64) NOT NULL,
        PRIMARY KEY (bulletin_date, kind)
      )`);
    await q.query(`
      CREATE TABLE allocation_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        trigger text NOT NULL,
        locality char(9),
        vacancies_considered int NOT NULL DEFAULT 0,
        referrals_issued int NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE TABLE referral (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        application_id uuid NOT NULL REFERENCES application(id),
        vacancy_id uuid NOT NULL REFERENCES vacancy(id),
        status text NOT NULL CHECK (status IN ('BOOKED','OFFERED','CONFIRMED','ENROLLED','DECLINED','EXPIRED','CANCELLED')),
        issued_at timestamptz NOT NULL,
        clock_start timestamptz,
        confirm_by timestamptz,
        confirmed_at timestamptz,
        valid_until timestamptz,
        extended boolean NOT NULL DEFAULT false,
        documents text[] NOT NULL DEFAULT '{}',
        required_documents text[] NOT NULL DEFAULT '{}',
        claimed boolean NOT NULL DEFAULT false,
        run_id uuid REFERENCES allocation_run(id),
        queue_key text,
        closed_at timestamptz,
        close_reason text,
        reminded_for timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_referral_live_application ON referral (application_id) WHERE status IN ('BOOKED','OFFERED','CONFIRMED')`,
    );
    await q.query(`CREATE UNIQUE INDEX uq_referral_live_vacancy ON referral (vacancy_id) WHERE status IN ('BOOKED','OFFERED','CONFIRMED')`);
    await q.query(`CREATE INDEX ix_referral_deadlines ON referral (status, confirm_by, valid_until)`);
    await q.query(`
      CREATE TABLE referral_exclusion (
        application_id uuid NOT NULL REFERENCES application(id),
        vacancy_id uuid NOT NULL REFERENCES vacancy(id),
        PRIMARY KEY (application_id, vacancy_id)
      )`);
    await q.query(`
      CREATE TABLE stop_list_entry (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        application_id uuid NOT NULL REFERENCES application(id),
        reason text NOT NULL,
        starts_on date NOT NULL,
        until date,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        ended_at timestamptz,
        ended_by text
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_stop_list_open ON stop_list_entry (application_id) WHERE ended_at IS NULL`);
    await q.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        application_id uuid REFERENCES application(id),
        offer_id uuid,
        stage text NOT NULL,
        idempotency_key text NOT NULL,
        language text NOT NULL CHECK (language IN ('kk','ru')),
        phone text NOT NULL,
        text text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING','SENT','DELIVERED','FAILED')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        delivered_at timestamptz,
        provider_message_id text,
        last_error text,
        CONSTRAINT uq_notification_key UNIQUE (idempotency_key)
      )`);
    await q.query(`CREATE INDEX ix_notification_due ON notification (next_attempt_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX ix_notification_application ON notification (application_id, created_at)`);
    await q.query(`
      CREATE TABLE proactive_offer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('PENDING','ACCEPTED','REFUSED','EXPIRED')),
        child_iin char(12) NOT NULL,
        applicant_iin char(12) NOT NULL,
        phone text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        answered_at timestamptz,
        application_id uuid REFERENCES application(id)
      )`);
    await q.query(`CREATE INDEX ix_proactive_offer_phone ON proactive_offer (phone) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'proactive_offer',
      'notification',
      'stop_list_entry',
      'referral_exclusion',
      'referral',
      'allocation_run',
      'bulletin_publication',
      'bulletin_entry',
      'vacancy',
      'queue_cycle',
      'category_claim',
      'application',
      'priority_category',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS vacancy_seq`);
    await q.query(`DROP SEQUENCE IF EXISTS application_seq`);
  }
}
