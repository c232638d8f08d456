import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { eventHash, verifyProof } from '../../src/ledger/domain/hashing.js';
import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, errorCode, ok, TEST_JWT_SECRET, type TestApp } from '../utils/app.js';
import { asSuperuser } from '../utils/ledger-tamper.js';

const ROOT = process.cwd();

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

const VERIFY = `{ ledgerVerify { valid length headHash firstInvalidSeq reason } }`;
const HEAD = `{ ledgerHead { length headHash blocks sealedAt } }`;

describe('ledger: sealing, verification, tampering, proofs', () => {
  let t: TestApp;
  let orgSerial = 100;
  const iin = makeIin('1990-04-01', 'F', 321);
  let applicationId: string;

  const createOrgs = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      ok(
        await t.gql(
          `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
          { i: { name: `Ledger ${orgSerial}`, bin: makeBin('2005', orgSerial++), locality: '751110000' } },
          t.admin,
        ),
      );
    }
  };
  const verify = async (): Promise<{
    valid: boolean;
    length: number;
    headHash: string;
    firstInvalidSeq: number | null;
    reason: string | null;
  }> => ok(await t.gql(VERIFY)).ledgerVerify;
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => ((await t.ds.query(sql, params)) as T[])[0];

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the seal-tick job seals committed events in the background', async () => {
    await createOrgs(3);
    const deadline = Date.now() + 20_000;
    let unsealed = 1;
    while (Date.now() < deadline) {
      unsealed = (await one<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_event WHERE block_seq IS NULL`)).n;
      if (unsealed === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(unsealed).toBe(0);
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_block`)).n).toBeGreaterThan(0);
  });

  it('ledgerHead (anonymous) seals first: it covers every committed event', async () => {
    await createOrgs(4);
    for (const [date, kind] of [
      ['2026-06-01', 'HOLIDAY'],
      ['2026-06-02', null],
    ] as const) {
      ok(
        await t.gql(
          `mutation($i: SetCalendarDayInput!) { setCalendarDay(input: $i) { date } }`,
          { i: { date, kind, name: kind ? 'Test day' : undefined } },
          t.admin,
        ),
      );
    }
    // An aborted append leaves a gap in seq inside the next block's range (used for a forgery below).
    await t.ds
      .transaction(async (em) => {
        await em.query(
          `INSERT INTO ledger_event (at, type, entity, entity_id, actor, data, hash) VALUES (now(), 'x', 'clock', 'x', 'system', '{}', repeat('0', 64))`,
        );
        throw new Error('rollback');
      })
      .catch(() => undefined);
    ok(
      await t.gql(
        `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
        {
          i: {
            childIin: makeIin('2023-03-01', 'M', 11),
            childName: 'Test Child',
            applicantIin: iin,
            phone: '+77011234567',
            locality: '751110000',
            language: 'KK',
            desiredAdmissionDate: '2026-09-01',
          },
        },
        t.token({ role: 'APPLICANT', iin }),
      ),
    );
    applicationId = (await one<{ id: string }>(`SELECT id FROM application WHERE applicant_iin = $1`, [iin])).id;
    await createOrgs(2);
    const head = ok(await t.gql(HEAD)).ledgerHead;
    const total = await one<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_event`);
    const last = await one<{ hash: string; n: number }>(
      `SELECT hash, (SELECT count(*)::int FROM ledger_block) AS n FROM ledger_block ORDER BY seq DESC LIMIT 1`,
    );
    expect(head).toMatchObject({ length: total.n, headHash: last.hash, blocks: last.n });
    expect(head.sealedAt).toMatch(/\+05:00$/);
    expect(total.n).toBeGreaterThanOrEqual(12);
  });

  it('ledgerVerify: an untouched ledger is valid', async () => {
    const v = await verify();
    const head = ok(await t.gql(HEAD)).ledgerHead;
    expect(v).toEqual({ valid: true, length: head.length, headHash: head.headHash, firstInvalidSeq: null, reason: null });
  });

  it('an append still uncommitted holds sealing back, so blocks stay a prefix of seq (no out-of-order ranges)', async () => {
    const held = new pg.Client({ connectionString: t.ctx.databaseUrl });
    await held.connect();
    try {
      await held.query('BEGIN');
      const facts = { at: '2026-02-01T00:00:00.000Z', type: 'clock.tick', entity: 'clock', entityId: 'held', actor: 'system', data: {} };
      const ins = await held.query<{ seq: string }>(
        `INSERT INTO ledger_event (at, type, entity, entity_id, actor, data, hash) VALUES ($1,$2,$3,$4,$5,'{}'::jsonb,$6) RETURNING seq`,
        [facts.at, facts.type, facts.entity, facts.entityId, facts.actor, eventHash(facts)],
      );
      await createOrgs(1); // commits a later seq while the earlier one is still open
      const later = await one<{ seq: string }>(`SELECT max(seq) AS seq FROM ledger_event`);
      expect(Number(later.seq)).toBeGreaterThan(Number(ins.rows[0].seq));
      const before = ok(await t.gql(HEAD)).ledgerHead; // waits for the writer, then gives up: seals nothing past it
      const sealed = await one<{ b: string | null }>(`SELECT block_seq AS b FROM ledger_event WHERE seq = $1`, [later.seq]);
      expect(sealed.b).toBeNull();
      await held.query('COMMIT');
      const after = ok(await t.gql(HEAD)).ledgerHead;
      expect(after.length).toBe(before.length + 2);
      const blocks = await t.ds.query(`SELECT first_event, last_event FROM ledger_block ORDER BY seq`);
      for (let i = 1; i < blocks.length; i++) expect(Number(blocks[i].first_event)).toBeGreaterThan(Number(blocks[i - 1].last_event));
      expect((await verify()).valid).toBe(true);
    } finally {
      await held.end();
    }
  });

  it('an edited event → invalid at its block; restored → valid', async () => {
    const e = await one<{ seq: string; block_seq: string; data: unknown }>(
      `SELECT seq, block_seq, data FROM ledger_event WHERE entity = 'organization' ORDER BY seq OFFSET 4 LIMIT 1`,
    );
    await asSuperuser(t.ds, `UPDATE ledger_event SET data = jsonb_set(data, '{name}', '"Forged"') WHERE seq = $1`, [e.seq]);
    const v = await verify();
    expect(v).toMatchObject({ valid: false, firstInvalidSeq: Number(e.block_seq) });
    expect(v.reason).toContain(`event ${e.seq}`);
    await asSuperuser(t.ds, `UPDATE ledger_event SET data = $2::jsonb WHERE seq = $1`, [e.seq, JSON.stringify(e.data)]);
    expect((await verify()).valid).toBe(true);
  });

  it('an edited event whose hash is recomputed too → its block (Merkle root)', async () => {
    const e = await one<Record<string, string> & { data: unknown }>(
      `SELECT seq, block_seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, type, entity, entity_id, actor, data, hash
       FROM ledger_event WHERE entity = 'calendar' ORDER BY seq LIMIT 1`,
    );
    const forged = eventHash({ at: e.at, type: e.type, entity: e.entity, entityId: e.entity_id, actor: 'ADMIN:mallory', data: e.data });
    await asSuperuser(t.ds, `UPDATE ledger_event SET actor = 'ADMIN:mallory', hash = $2 WHERE seq = $1`, [e.seq, forged]);
    expect(await verify()).toMatchObject({
      valid: false,
      firstInvalidSeq: Number(e.block_seq),
      reason: expect.stringMatching(/Merkle root/),
    });
    await asSuperuser(t.ds, `UPDATE ledger_event SET actor = $2, hash = $3 WHERE seq = $1`, [e.seq, e.actor, e.hash]);
    expect((await verify()).valid).toBe(true);
  });

  it('a deleted event → detected at its block', async () => {
    const row = await one<Record<string, unknown>>(`SELECT * FROM ledger_event WHERE entity = 'organization' ORDER BY seq DESC LIMIT 1`);
    await asSuperuser(t.ds, `DELETE FROM ledger_event WHERE seq = $1`, [row.seq]);
    const v = await verify();
    expect(v).toMatchObject({ valid: false, firstInvalidSeq: Number(row.block_seq) });
    expect(v.reason).toMatch(/deleted or inserted/);
    await t.ds.query(
      `INSERT INTO ledger_event (seq, tx, at, type, entity, entity_id, actor, data, hash, block_seq) VALUES ($1,$2,$3,$4,$5,$6,$7,$8::jsonb,$9,$10)`,
      [row.seq, row.tx, row.at, row.type, row.entity, row.entity_id, row.actor, JSON.stringify(row.data), row.hash, row.block_seq],
    );
    expect((await verify()).valid).toBe(true);
  });

  it('a forged event inserted into a sealed range (sealed or not, valid own hash) → detected at that block', async () => {
    const gap = await one<{ seq: number; block_seq: string }>(
      `SELECT s.seq::int AS seq, b.seq AS block_seq FROM ledger_block b, generate_series(b.first_event, b.last_event) s(seq)
       WHERE NOT EXISTS (SELECT 1 FROM ledger_event e WHERE e.seq = s.seq) ORDER BY 1 LIMIT 1`,
    );
    expect(gap).toBeDefined();
    const facts = {
      at: '2026-01-01T00:00:00.000Z',
      type: 'application.registered',
      entity: 'application',
      entityId: 'forged',
      actor: 'ADMIN:mallory',
      data: { number: 'X' },
    };
    for (const blockSeq of [gap.block_seq, null]) {
      await t.ds.query(
        `INSERT INTO ledger_event (seq, at, type, entity, entity_id, actor, data, hash, block_seq) VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9)`,
        [gap.seq, facts.at, facts.type, facts.entity, facts.entityId, facts.actor, JSON.stringify(facts.data), eventHash(facts), blockSeq],
      );
      expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: Number(gap.block_seq) });
      await asSuperuser(t.ds, `DELETE FROM ledger_event WHERE seq = $1`, [gap.seq]);
    }
    expect((await verify()).valid).toBe(true);
  });

  it('an edited block merkle_root → detected at that block', async () => {
    const b = await one<{ seq: string; merkle_root: string }>(`SELECT seq, merkle_root FROM ledger_block ORDER BY seq LIMIT 1`);
    await asSuperuser(t.ds, `UPDATE ledger_block SET merkle_root = repeat('a', 64) WHERE seq = $1`, [b.seq]);
    expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: Number(b.seq) });
    await asSuperuser(t.ds, `UPDATE ledger_block SET merkle_root = $2 WHERE seq = $1`, [b.seq, b.merkle_root]);
    expect((await verify()).valid).toBe(true);
  });

  it('ledgerProof: the owner and ADMIN get proofs that verify; others are refused', async () => {
    const owner = t.token({ role: 'APPLICANT', iin });
    const q = `query($id: ID!) { ledgerProof(applicationId: $id) {
      seq type at entity entityId actor data eventHash blockSeq merkleRoot blockHash path { side hash }
      block { seq prevHash merkleRoot hash firstEvent lastEvent eventCount sealedAt } } }`;
    const proofs = ok(await t.gql(q, { id: applicationId }, owner)).ledgerProof as {
      seq: number;
      type: string;
      at: string;
      entity: string;
      entityId: string;
      actor: string;
      data: string;
      eventHash: string;
      merkleRoot: string;
      path: { side: 'L' | 'R'; hash: string }[];
    }[];
    expect(proofs.map((p) => p.type)).toContain('application.registered');
    for (const p of proofs) {
      expect(eventHash({ at: p.at, type: p.type, entity: p.entity, entityId: p.entityId, actor: p.actor, data: JSON.parse(p.data) })).toBe(
        p.eventHash,
      );
      expect(verifyProof(p.eventHash, p.path, p.merkleRoot)).toBe(true);
    }
    expect(ok(await t.gql(q, { id: applicationId }, t.admin)).ledgerProof).toHaveLength(proofs.length);
    const stranger = t.token({ role: 'APPLICANT', iin: makeIin('1991-01-01', 'M', 5) });
    expect(errorCode(await t.gql(q, { id: applicationId }, stranger))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(q, { id: applicationId }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(q, { id: '00000000-0000-4000-8000-000000000000' }, t.admin))).toBe('NOT_FOUND');
  });

  it('npm run ledger:prove checks the proofs over HTTP: OK, then FAIL after tampering', async () => {
    const owner = t.token({ role: 'APPLICANT', iin });
    const good = await run('node', ['scripts/ledger-prove.mjs', '--application', applicationId, '--url', t.url, '--token', owner]);
    expect(good.out).toMatch(/^OK {3}#\d+ application\.registered/m);
    expect(good.code).toBe(0);
    const e = await one<{ seq: string; data: unknown }>(
      `SELECT seq, data FROM ledger_event WHERE entity = 'application' AND entity_id = $1 LIMIT 1`,
      [applicationId],
    );
    await asSuperuser(t.ds, `UPDATE ledger_event SET data = data || '{"priorityClass": 0}' WHERE seq = $1`, [e.seq]);
    const bad = await run('node', ['scripts/ledger-prove.mjs', '--application', applicationId, '--url', t.url, '--token', owner]);
    expect(bad.out).toMatch(/^FAIL #\d+ application\.registered .*event hash does not match/m);
    expect(bad.code).toBe(1);
    await asSuperuser(t.ds, `UPDATE ledger_event SET data = $2::jsonb WHERE seq = $1`, [e.seq, JSON.stringify(e.data)]);
    expect((await verify()).valid).toBe(true);
  });

  it('npm run ledger:verify (the built CLI) exits 0, then non-zero after tampering', async () => {
    const build = await run('npm', ['run', '-s', 'build']);
    if (build.code !== 0) throw new Error(`build failed: ${build.out}${build.err}`);
    const env = {
      DATABASE_URL: t.ctx.databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'kezek-cli-')),
      NODE_ENV: 'test',
    };
    const cli = (): ReturnType<typeof run> => run('node', ['dist/src/ledger/ledger-verify.cli.js'], env);
    const good = await cli();
    expect(good.out).toContain('ledger: VALID');
    expect(good.code).toBe(0);
    const e = await one<{ seq: string; block_seq: string; type: string }>(
      `SELECT seq, block_seq, type FROM ledger_event WHERE block_seq IS NOT NULL ORDER BY seq LIMIT 1`,
    );
    await asSuperuser(t.ds, `UPDATE ledger_event SET type = 'organization.deleted' WHERE seq = $1`, [e.seq]);
    const bad = await cli();
    expect(bad.out).toContain('ledger: INVALID');
    expect(bad.out).toContain(`first invalid block: ${e.block_seq}`);
    expect(bad.code).toBe(1);
    await asSuperuser(t.ds, `UPDATE ledger_event SET type = $2 WHERE seq = $1`, [e.seq, e.type]);
    expect((await cli()).code).toBe(0);
  }, 240_000);
});
