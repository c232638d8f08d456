import { SchedulerService } from '../../src/platform/jobs/scheduler.service.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import {
  advance,
  applicantOf,
  count,
  createOrg,
  ledgerTypes,
  notificationStages,
  publish,
  register,
  setClock,
  staffOf,
} from '../utils/fixtures.js';

/**
 * Issue 15, the referral life cycle: refusals (item 3), the early-booking lapse (item 5), temporary stay
 * (item 6), the stop-list cases (item 10) and cancelling a referral (item 11), over two simulated weeks of
 * December 2026 (Wednesday 16 December is a public holiday). Every scenario has its own locality; the
 * daily tasks run only when the test moves the clock, in time order.
 */
const L = {
  refuse: '752110000',
  booking: '752120000',
  temporary: '752130000',
  stop: '752140000',
  cancel: '752150000',
} as const;

const REF = `id status confirmBy validUntil closeReason closeNote attendanceEndedAt missingDocuments
  vacancy { id status admissionMode attendanceUntil }`;
const APP = `query($id: ID!) { application(id: $id) { id status registeredAt archiveReason stopListedUntil referral { ${REF} } } }`;
const REFERRAL = `query($id: ID!) { referral(id: $id) { ${REF} } }`;
const CONFIRM = `mutation($id: ID!) { confirmReferral(id: $id) { ${REF} } }`;
const DECLINE = `mutation($id: ID!) { declineReferral(id: $id) { ${REF} } }`;
const DOCS = `mutation($id: ID!, $k: [DocumentKind!]!) { recordDocuments(referralId: $id, kinds: $k) { ${REF} } }`;
const REFUSE = `mutation($id: ID!, $reason: RefusalReason!, $note: String) { refuseAdmission(referralId: $id, reason: $reason, note: $note) { ${REF} } }`;
const CANCEL = `mutation($id: ID!, $reason: String!, $note: String) { cancelReferral(id: $id, reason: $reason, note: $note) { ${REF} } }`;
const ENROLL = `mutation($id: ID!) { enrollByReferral(id: $id) { ${REF} } }`;
const CLAIM = `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { ${REF} } }`;
const VACANCY = `query($id: ID!) { vacancy(id: $id) { id status openForClaim } }`;
const RESTORE = `mutation($id: ID!) { restoreApplication(id: $id) { id status stopListedUntil registeredAt } }`;
const WITHDRAW = `mutation($id: ID!) { withdrawApplication(id: $id) { id status } }`;
const STOP = `mutation($id: ID!, $until: Date) { addToStopList(applicationId: $id, reason: "false documents", until: $until) { id status } }`;
const AUDIT = `{ fairnessAudit { ok violations { check referralId message } } }`;
const ALL_DOCS = ['BIRTH_CERTIFICATE', 'HEALTH_PASSPORT', 'VACCINATION_CARD', 'APPLICANT_ID'];

interface App {
  id: string;
  number: string;
  applicantIin: string;
}
interface ReferralView {
  id: string;
  status: string;
  confirmBy: string | null;
  validUntil: string | null;
  closeReason: string | null;
  closeNote: string | null;
  attendanceEndedAt: string | null;
  missingDocuments: string[];
  vacancy: { id: string; status: string; admissionMode: string; attendanceUntil: string | null };
}
interface ApplicationView {
  id: string;
  status: string;
  registeredAt: string;
  archiveReason: string | null;
  stopListedUntil: string | null;
  referral: ReferralView | null;
}

describe('referral rules (issue 15: refusals, early-booking lapse, temporary stay, stop-list cases, cancellation)', () => {
  let t: TestApp;
  const org: Record<string, string> = {};
  const a: Record<string, App> = {};
  const v: Record<string, string[]> = {};
  const ref: Record<string, string> = {};
  const reg = async (key: string, locality: string, spec: Parameters<typeof register>[1] = {}): Promise<App> =>
    (a[key] = await register(t, { locality, ...spec }));
  const application = async (key: string): Promise<ApplicationView> =>
    ok(await t.gql<{ application: ApplicationView }>(APP, { id: a[key].id }, t.admin)).application;
  const referralOf = async (key: string): Promise<ReferralView> => {
    const r = (await application(key)).referral;
    if (!r) throw new Error(`${key} has no live referral`);
    return r;
  };
  const referral = async (id: string): Promise<ReferralView> =>
    ok(await t.gql<{ referral: ReferralView }>(REFERRAL, { id }, t.admin)).referral;
  const texts = async (key: string): Promise<{ stage: string; text: string }[]> =>
    ok(await t.gql(`query($id: ID!) { notifications(applicationId: $id) { stage text } }`, { id: a[key].id }, t.admin)).notifications;

  beforeAll(async () => {
    // Monday 7 December 2026, 10:00 Almaty.
    t = await createTestApp({ simulation: '2026-12-07T10:00:00+05:00', env: { SCHEDULES: '0' } });
    await t.app.get(SchedulerService).catchUp();
    for (const [key, locality] of Object.entries(L)) org[key] = await createOrg(t, `Org ${key}`, locality);
    org.other = await createOrg(t, 'Org other', L.cancel);

    await reg('r1', L.refuse);
    await reg('r2', L.refuse);
    v.refuse = await publish(t, org.refuse);

    await reg('e1', L.booking);
    await reg('e2', L.booking);
    // Admission starts 1 December: the 10th working day after it is Tuesday 15 December.
    v.booking = await publish(
      t,
      org.booking,
      { admissionMode: 'EARLY_BOOKING', admissionStartDate: '2026-12-01' },
      staffOf(t, org.booking),
    );
    v.bookingLater = await publish(
      t,
      org.booking,
      { admissionMode: 'EARLY_BOOKING', admissionStartDate: '2027-01-11' },
      staffOf(t, org.booking),
    );

    await reg('t1', L.temporary, { acceptsTemporaryStay: true });
    await reg('t2', L.temporary, { acceptsTemporaryStay: true });
    v.temp1 = await publish(t, org.temporary, { admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2026-12-14' });

    await reg('d1', L.stop);
    await reg('d2', L.stop, { birthDate: '2023-05-05' });
    await reg('d3', L.stop, { birthDate: '2023-05-05' });
    // Five now; six on Thursday 10 December (the 00:00 age-out archives the application).
    await reg('d4', L.stop, { birthDate: '2020-12-10' });
    v.stop = await publish(t, org.stop, { ageFromMonths: 40, ageToMonths: 60 }); // d1 only (born 2023-03-10)
    ok(await t.gql(STOP, { id: a.d2.id, until: '2026-12-20' }, t.admin));
    ok(await t.gql(STOP, { id: a.d3.id, until: '2026-12-08' }, t.admin));

    await reg('c1', L.cancel);
    await reg('c2', L.cancel);
    v.cancel = await publish(t, org.cancel, { count: 2 });

    // Tuesday 8 December, 09:00: bulletin, then allocation.
    await advance(t, '2026-12-08T09:00:30+05:00');
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuseAdmission: never for an OFFERED referral; INCOMPLETE_DOCUMENTS not before the deadline nor with every document in; a note for the others', async () => {
    const r = await referralOf('r1');
    ref.r1 = r.id;
    const staff = staffOf(t, org.refuse);
    const offered = await t.gql(REFUSE, { id: r.id, reason: 'VACCINATION_LIMIT', note: 'limit of 2 reached' }, staff);
    expect(errorCode(offered)).toBe('CONFLICT');
    expect(offered.errors?.[0].message).toMatch(/CONFIRMED/);
    ok(await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.r1)));
    const early = await t.gql(REFUSE, { id: r.id, reason: 'INCOMPLETE_DOCUMENTS' }, staff);
    expect(errorCode(early)).toBe('CONFLICT');
    expect(early.errors?.[0].message).toMatch(/deadline has not passed/);
    const noNote = await t.gql(REFUSE, { id: r.id, reason: 'EXPIRED_DOCUMENTS', note: '  ' }, staff);
    expect(errorCode(noNote)).toBe('BAD_USER_INPUT');
    expect(noNote.errors?.[0].message).toMatch(/note/);
    ok(await t.gql(DOCS, { id: r.id, k: ALL_DOCS }, staff));
    const allIn = await t.gql(REFUSE, { id: r.id, reason: 'INCOMPLETE_DOCUMENTS' }, staff);
    expect(errorCode(allIn)).toBe('CONFLICT');
    expect(allIn.errors?.[0].message).toMatch(/every required document/);
    expect(await ledgerTypes(t, r.id)).toEqual(['referral.issued', 'referral.confirmed', 'referral.documents_recorded']);
    expect((await referral(r.id)).status).toBe('CONFIRMED');

    const before = await application('r1');
    const refused = ok(await t.gql(REFUSE, { id: r.id, reason: 'VACCINATION_LIMIT', note: 'limit of 2 reached' }, staff)).refuseAdmission;
    expect(refused).toMatchObject({
      status: 'CANCELLED',
      closeReason: 'admission refused: VACCINATION_LIMIT',
      closeNote: 'limit of 2 reached',
      vacancy: { status: 'PUBLISHED' },
    });
    expect(await application('r1')).toMatchObject({ status: 'QUEUED', registeredAt: before.registeredAt, referral: null });
    // The note stays on the referral: the ledger keeps the code only.
    const data: { data: Record<string, unknown> }[] = await t.ds.query(
      `SELECT data FROM ledger_event WHERE entity_id = $1 AND type = 'referral.cancelled'`,
      [r.id],
    );
    expect(JSON.stringify(data[0].data)).not.toMatch(/limit of 2/);
  });

  it('temporary stay: enrolled, the application stays in the queue and the text says so', async () => {
    const r = await referralOf('t1');
    ref.t1 = r.id;
    expect(r.vacancy).toMatchObject({ admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2026-12-14' });
    ok(await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.t1)));
    ok(await t.gql(DOCS, { id: r.id, k: ALL_DOCS }, staffOf(t, org.temporary)));
    expect(ok(await t.gql(ENROLL, { id: r.id }, staffOf(t, org.temporary))).enrollByReferral.status).toBe('ENROLLED');
    expect(await application('t1')).toMatchObject({ status: 'QUEUED', archiveReason: null, referral: null });
    const enrolled = (await texts('t1')).find((x) => x.stage === 'ENROLLED_TEMPORARY');
    expect(enrolled?.text).toMatch(/кезекте қалады/);
    expect(enrolled?.text).not.toMatch(/архив/);
    expect((await texts('t1')).map((x) => x.stage)).not.toContain('ENROLLED');
    // Two more temporary places, in the bulletin of Wednesday 9 December.
    v.temp2 = await publish(t, org.temporary, { admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2027-05-31' });
    v.temp3 = await publish(t, org.temporary, { admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2027-05-31' });
  });

  it('cancelReferral: staff of that organization or ADMIN, with a reason code (OTHER with a note); the place returns, the family keeps its time', async () => {
    const r1 = await referralOf('c1');
    const r2 = await referralOf('c2');
    const before = await application('c1');
    expect(errorCode(await t.gql(CANCEL, { id: r1.id, reason: 'GROUP_CLOSED' }, staffOf(t, org.other)))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(CANCEL, { id: r1.id, reason: 'GROUP_CLOSED' }, applicantOf(t, a.c1)))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(CANCEL, { id: r1.id, reason: 'CLOSED' }, staffOf(t, org.cancel)))).toBe('BAD_USER_INPUT');
    const other = await t.gql(CANCEL, { id: r1.id, reason: 'OTHER' }, staffOf(t, org.cancel));
    expect(errorCode(other)).toBe('BAD_USER_INPUT');
    expect(other.errors?.[0].message).toMatch(/note/);
    expect((await referral(r1.id)).status).toBe('OFFERED');

    const c = ok(await t.gql(CANCEL, { id: r1.id, reason: 'GROUP_CLOSED' }, staffOf(t, org.cancel))).cancelReferral;
    expect(c).toMatchObject({ status: 'CANCELLED', closeReason: 'cancelled: GROUP_CLOSED', vacancy: { status: 'PUBLISHED' } });
    expect(await application('c1')).toMatchObject({ status: 'QUEUED', registeredAt: before.registeredAt, stopListedUntil: null });
    expect(errorCode(await t.gql(CANCEL, { id: r1.id, reason: 'GROUP_CLOSED' }, staffOf(t, org.cancel)))).toBe('CONFLICT');
    const sms = (await texts('c1')).find((x) => x.stage === 'REFERRAL_CANCELLED');
    expect(sms?.text).toContain(a.c1.number);
    expect(sms?.text).toMatch(/топ жабылды/);
    expect(await ledgerTypes(t, r1.id)).toEqual(['referral.issued', 'referral.cancelled']);

    ok(await t.gql(CONFIRM, { id: r2.id }, applicantOf(t, a.c2)));
    const byAdmin = ok(
      await t.gql(CANCEL, { id: r2.id, reason: 'OTHER', note: 'the building is closed for repairs' }, t.admin),
    ).cancelReferral;
    expect(byAdmin).toMatchObject({
      status: 'CANCELLED',
      closeReason: 'cancelled: OTHER',
      closeNote: 'the building is closed for repairs',
    });
    expect((await application('c2')).status).toBe('QUEUED');
  });

  it('stop-list: a stop-listed family that withdraws is not forgiven; d1 confirms its place', async () => {
    ok(await t.gql(WITHDRAW, { id: a.d2.id }, applicantOf(t, a.d2)));
    ok(await t.gql(WITHDRAW, { id: a.d3.id }, applicantOf(t, a.d3)));
    const r = await referralOf('d1');
    ref.d1 = r.id;
    // Confirmed on Tuesday 8 December: documents by the end of Tuesday 15 December.
    const confirmed = ok(await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.d1))).confirmReferral;
    expect(new Date(confirmed.validUntil as string).toISOString()).toBe('2026-12-15T19:00:00.000Z');
    ref.bookingE1 = (await referralOf('e1')).id;
    expect(await referral(ref.bookingE1)).toMatchObject({ status: 'BOOKED', vacancy: { id: v.booking[0] } });
    expect((await referralOf('e2')).vacancy.id).toBe(v.bookingLater[0]);
  });

  it('Wednesday 9 December: the refused place goes to the next family; a child in a temporary place gets no second one', async () => {
    await advance(t, '2026-12-09T09:00:30+05:00');
    const r2 = await referralOf('r2');
    expect(r2.vacancy.id).toBe(v.refuse[0]);
    ref.r2 = r2.id;
    // t1 (better ranked, in a temporary place) is passed over; t2 takes one place; nobody else fits the other.
    expect((await application('t1')).referral).toBeNull();
    expect((await referralOf('t2')).vacancy.id).toBe(v.temp2[0]);
    expect(await count(t, `SELECT count(*) FROM referral WHERE vacancy_id = $1`, [v.temp3[0]])).toBe(0);
  });

  it('restore: the rest of a stop-list term cut short by withdrawal is served; a term already over is not', async () => {
    const d2 = ok(await t.gql(RESTORE, { id: a.d2.id }, t.admin)).restoreApplication;
    expect(d2).toMatchObject({ status: 'STOP_LISTED', stopListedUntil: '2026-12-20' });
    expect(await ledgerTypes(t, a.d2.id)).toEqual([
      'application.registered',
      'stop_list.added',
      'application.archived',
      'application.restored',
      'stop_list.added',
    ]);
    const d3 = ok(await t.gql(RESTORE, { id: a.d3.id }, t.admin)).restoreApplication;
    expect(d3).toMatchObject({ status: 'QUEUED', stopListedUntil: null });
  });

  it('Thursday 10 December: a child who reached the age limit cannot be restored; an open temporary place is not claimed by a child in one', async () => {
    ok(await t.gql(CONFIRM, { id: ref.r2 }, applicantOf(t, a.r2)));
    ok(await t.gql(DOCS, { id: ref.r2, k: ['BIRTH_CERTIFICATE'] }, staffOf(t, org.refuse)));
    await advance(t, '2026-12-10T09:00:30+05:00');
    expect(await application('d4')).toMatchObject({ status: 'ARCHIVED', archiveReason: 'AGED_OUT' });
    const restore = await t.gql(RESTORE, { id: a.d4.id }, t.admin);
    expect(errorCode(restore)).toBe('CONFLICT');
    expect(restore.errors?.[0].message).toMatch(/age limit/);
    expect((await application('d4')).status).toBe('ARCHIVED');

    expect(ok(await t.gql(VACANCY, { id: v.temp3[0] }, t.admin)).vacancy.openForClaim).toBe(true);
    const claim = await t.gql(CLAIM, { v: v.temp3[0], a: a.t1.id }, applicantOf(t, a.t1));
    expect(errorCode(claim)).toBe('CONFLICT');
    expect(claim.errors?.[0].message).toMatch(/temporary place/);
  });

  it('Tuesday 15 December 00:00: the temporary term is over, the family is texted, and the child may take a temporary place again', async () => {
    await advance(t, '2026-12-15T00:00:30+05:00');
    const ended = await referral(ref.t1);
    expect(ended).toMatchObject({ status: 'ENROLLED' });
    expect(ended.attendanceEndedAt).not.toBeNull();
    expect(await ledgerTypes(t, ref.t1)).toEqual([
      'referral.issued',
      'referral.confirmed',
      'referral.documents_recorded',
      'referral.enrolled',
      'referral.attendance_ended',
    ]);
    const sms = (await texts('t1')).find((x) => x.stage === 'TEMPORARY_STAY_ENDED');
    expect(sms?.text).toContain(a.t1.number);
    expect((await application('t1')).status).toBe('QUEUED');
    const claimed = ok(await t.gql(CLAIM, { v: v.temp3[0], a: a.t1.id }, applicantOf(t, a.t1))).claimVacancy;
    expect(claimed).toMatchObject({ status: 'OFFERED', vacancy: { id: v.temp3[0] } });
    // The early booking still waits for its place: its last working day (15 December) is not over.
    expect((await referral(ref.bookingE1)).status).toBe('BOOKED');
  });

  it('declining a CONFIRMED referral after its documents deadline (before the 00:00 sweep) stop-lists like an expiry', async () => {
    await setClock(t, '2026-12-16T00:00:10+05:00');
    const d = ok(await t.gql(DECLINE, { id: ref.d1 }, applicantOf(t, a.d1))).declineReferral;
    expect(d).toMatchObject({ status: 'EXPIRED', vacancy: { status: 'PUBLISHED' } });
    expect(await application('d1')).toMatchObject({ status: 'STOP_LISTED', stopListedUntil: '2026-12-25' });
    expect(await ledgerTypes(t, ref.d1)).toEqual(['referral.issued', 'referral.confirmed', 'referral.expired']);
    expect(await notificationStages(t, a.d1.id)).toContain('REFERRAL_EXPIRED_STOP_LISTED');
    expect(await notificationStages(t, a.d1.id)).not.toContain('REFERRAL_DECLINED');
  });

  it('early booking: not marked vacated by the 10th working day after its admission start, the booking lapses; the family keeps its time', async () => {
    const before = await application('e1');
    await advance(t, '2026-12-16T00:01:00+05:00');
    const lapsed = await referral(ref.bookingE1);
    expect(lapsed).toMatchObject({ status: 'CANCELLED', vacancy: { id: v.booking[0], status: 'REVOKED' } });
    expect(lapsed.closeReason).toMatch(/early booking lapsed/);
    expect(await application('e1')).toMatchObject({
      status: 'QUEUED',
      registeredAt: before.registeredAt,
      stopListedUntil: null,
      referral: null,
    });
    expect(await ledgerTypes(t, ref.bookingE1)).toEqual(['referral.issued', 'referral.booking_lapsed']);
    expect(await ledgerTypes(t, v.booking[0])).toEqual(['vacancy.published', 'vacancy.revoked']);
    const sms = (await texts('e1')).find((x) => x.stage === 'EARLY_BOOKING_LAPSED');
    expect(sms?.text).toContain(a.e1.number);
    // A booking whose admission starts in January keeps waiting.
    expect((await referralOf('e2')).status).toBe('BOOKED');
  });

  it('refusing for INCOMPLETE_DOCUMENTS once the deadline passed with documents missing is the expiry (stop-list)', async () => {
    // r2 confirmed on 9 December: documents by the end of Thursday 17 December (16 December is a holiday).
    expect(new Date((await referral(ref.r2)).validUntil as string).toISOString()).toBe('2026-12-17T19:00:00.000Z');
    await setClock(t, '2026-12-18T00:00:10+05:00');
    const refused = ok(await t.gql(REFUSE, { id: ref.r2, reason: 'INCOMPLETE_DOCUMENTS' }, staffOf(t, org.refuse))).refuseAdmission;
    expect(refused).toMatchObject({
      status: 'EXPIRED',
      closeReason: 'admission refused: INCOMPLETE_DOCUMENTS',
      vacancy: { status: 'PUBLISHED' },
    });
    expect(await application('r2')).toMatchObject({ status: 'STOP_LISTED', stopListedUntil: '2026-12-27' });
    await advance(t, '2026-12-18T00:01:00+05:00');
  });

  it('the fairness audit understands every new event: no violations', async () => {
    const audit = ok(await t.gql(AUDIT, {}, t.admin)).fairnessAudit;
    expect(audit.violations).toEqual([]);
    expect(audit.ok).toBe(true);
  });
});
