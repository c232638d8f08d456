import {
  InvalidLedgerEventError,
  LEDGER_EVENTS,
  LedgerEventRegistry,
  prepareLedgerEvent,
  readLedgerEvent,
  upgradeStep,
  validateLedgerEvent,
  viewLedgerEvent,
  type LedgerEvent,
  type LedgerEventInput,
  type LedgerEventOfKind,
  type StoredLedgerRow,
} from './events.js';
import { nullable, object, text } from './payload-schema.js';

const AT = new Date('2026-09-07T04:30:00.000Z');
const APP = '6f1c2a8e-1d2b-4c3d-9e4f-5a6b7c8d9e0f';
const VAC = '0b7e6d5c-4b3a-4291-8f7e-6d5c4b3a2910';
const REF = 'c4d3e2f1-a0b9-48c7-96d5-e4f3a2b1c0d9';
const ORG = '9a8b7c6d-5e4f-4321-8fed-cba987654321';
const base = { entityId: APP, actor: 'ADMIN:3f2a', at: AT };
const ref = { ...base, entity: 'referral' as const, entityId: REF, actor: 'system:allocation' };
const released = {
  applicationId: APP,
  vacancyId: VAC,
  reason: 'declined by the applicant',
  previousStatus: 'OFFERED',
  confirmBy: '2026-09-09T19:00:00.000Z',
  validUntil: null,
};

/** One realistic event per kind (and per shape, for kinds written in two), as the services write them. */
const EVENTS: readonly LedgerEvent[] = [
  {
    ...base,
    type: 'application.registered',
    entity: 'application',
    data: {
      number: 'KZ-0001234',
      seq: 1234,
      locality: '751110000',
      cohort: 2023,
      registeredAt: AT.toISOString(),
      priorityClass: 2,
      claims: ['LARGE_FAMILY'],
      batchId: null,
      organizationIds: [ORG],
      language: 'KK',
      groupType: 'GENERAL',
      workModes: ['FULL_DAY', 'HALF_DAY'],
      desiredAdmissionDate: '2026-09-01',
      acceptsTemporaryStay: false,
      birthDate: '2023-03-10',
    },
  },
  { ...base, type: 'application.priority_confirmed', entity: 'application', data: { category: 'LARGE_FAMILY', priorityClass: 1 } },
  { ...base, type: 'application.priority_rejected', entity: 'application', data: { category: 'MILITARY', priorityClass: 2 } },
  { ...base, type: 'application.priority_lapsed', entity: 'application', actor: 'system', data: { category: 'DISABILITY' } },
  {
    ...base,
    type: 'application.archived',
    entity: 'application',
    data: { reason: 'WITHDRAWN', previousStatus: 'REFERRED', cancelledReferrals: [REF] },
  },
  {
    ...base,
    type: 'application.restored',
    entity: 'application',
    data: { previousReason: 'DUPLICATE', registeredAt: '2026-01-15T05:00:00.000Z' },
  },
  {
    ...base,
    type: 'vacancy.published',
    entity: 'vacancy',
    entityId: VAC,
    actor: 'STAFF:7c1d',
    data: {
      organizationId: ORG,
      locality: '751110000',
      seq: 87,
      ageGroup: 'Middle',
      language: 'KK',
      ageFromMonths: 36,
      ageToMonths: 48,
      groupType: 'GENERAL',
      workMode: 'FULL_DAY',
      admissionMode: 'EARLY_BOOKING',
      admissionStartDate: '2026-09-01',
      attendanceUntil: null,
      bulletinDate: '2026-09-08',
    },
  },
  {
    ...base,
    type: 'vacancy.revoked',
    entity: 'vacancy',
    entityId: VAC,
    data: { reason: 'group closed', bulletinDate: '2026-09-08' },
  },
  {
    ...base,
    type: 'vacancy.vacated',
    entity: 'vacancy',
    entityId: VAC,
    data: { on: '2026-09-10', vacatedAt: '2026-09-09T19:00:00.000Z' },
  },
  {
    ...base,
    type: 'bulletin.published',
    entity: 'bulletin',
    entityId: '2026-09-08:VACATED',
    actor: 'system',
    data: { date: '2026-09-08', kind: 'VACATED', vacancies: [VAC], ledgerHead: 'ab'.repeat(32), ledgerLength: 420 },
  },
  {
    ...ref,
    type: 'referral.issued',
    data: {
      applicationId: APP,
      vacancyId: VAC,
      status: 'OFFERED',
      queueKey: '751110000:2023',
      runId: '11111111-2222-4333-8444-555555555555',
      claimed: false,
      priorityClass: 2,
      registeredAt: '2026-01-15T05:00:00.000Z',
      seq: 1234,
      clockStart: AT.toISOString(),
      confirmBy: '2026-09-09T19:00:00.000Z',
    },
  },
  {
    ...ref,
    type: 'referral.issued',
    data: {
      applicationId: APP,
      vacancyId: VAC,
      status: 'BOOKED',
      queueKey: null,
      runId: null,
      claimed: true,
      priorityClass: 0,
      registeredAt: '2026-01-15T05:00:00.000Z',
      seq: 1234,
      clockStart: null,
      confirmBy: null,
    },
  },
  { ...ref, type: 'referral.offered', data: { clockStart: AT.toISOString(), confirmBy: '2026-09-09T19:00:00.000Z' } },
  { ...ref, type: 'referral.confirmed', data: { applicationId: APP, vacancyId: VAC, validUntil: '2026-09-14T19:00:00.000Z' } },
  { ...ref, type: 'referral.extended', data: { validUntil: '2026-09-30T18:59:59.999Z', previous: '2026-09-14T19:00:00.000Z' } },
  {
    ...ref,
    type: 'referral.documents_recorded',
    data: { kinds: ['HEALTH_PASSPORT'], documents: ['BIRTH_CERTIFICATE', 'HEALTH_PASSPORT'] },
  },
  { ...ref, type: 'referral.enrolled', data: { applicationId: APP, vacancyId: VAC } },
  {
    ...ref,
    type: 'referral.enrolled',
    data: { applicationId: APP, vacancyId: VAC, temporaryStay: true, attendanceUntil: '2026-12-31' },
  },
  { ...ref, type: 'referral.declined', data: released },
  { ...ref, type: 'referral.expired', data: { ...released, reason: 'not confirmed in time' } },
  { ...ref, type: 'referral.cancelled', data: { ...released, reason: 'admission refused: NO_DOCUMENTS' } },
  { ...ref, type: 'referral.cancelled', data: { applicationId: APP, vacancyId: VAC, reason: 'application WITHDRAWN' } },
  {
    ...base,
    type: 'stop_list.added',
    entity: 'stop_list',
    data: { reason: 'false documents', startsOn: '2026-09-07', until: null },
  },
  {
    ...base,
    type: 'stop_list.added',
    entity: 'stop_list',
    actor: 'system:expiry',
    data: { reason: 'referral expired', referralId: REF, startsOn: '2026-09-10', until: '2026-09-19' },
  },
  { ...base, type: 'stop_list.ended', entity: 'stop_list', data: { manual: true } },
  { ...base, type: 'stop_list.ended', entity: 'stop_list', actor: 'system', data: { entry: REF } },
  {
    ...base,
    type: 'organization.created',
    entity: 'organization',
    entityId: ORG,
    data: { bin: '030140001234', locality: '751110000' },
  },
  {
    ...base,
    type: 'calendar.day_set',
    entity: 'calendar',
    entityId: '2026-12-16',
    data: { date: '2026-12-16', kind: 'HOLIDAY' },
  },
  {
    ...base,
    type: 'calendar.day_cleared',
    entity: 'calendar',
    entityId: '2026-12-16',
    data: { date: '2026-12-16', kind: null },
  },
  {
    ...base,
    type: 'proactive_offer.created',
    entity: 'proactive_offer',
    data: { locality: '751110000', cohort: 2025, expiresAt: '2026-10-07T18:59:59.999Z' },
  },
  {
    ...base,
    type: 'proactive_offer.accepted',
    entity: 'proactive_offer',
    actor: 'sms:applicant',
    data: { channel: 'sms', applicationId: APP },
  },
  {
    ...base,
    type: 'proactive_offer.refused',
    entity: 'proactive_offer',
    actor: 'token:holder',
    data: { channel: 'token', applicationId: null },
  },
  {
    ...base,
    type: 'proactive_offer.expired',
    entity: 'proactive_offer',
    actor: 'system',
    data: { expiresAt: '2026-10-07T18:59:59.999Z' },
  },
  {
    ...base,
    type: 'setting.updated',
    entity: 'setting',
    entityId: 'confirmWorkingDays',
    actor: 'ADMIN:00000000-0000-4000-8000-000000000001',
    data: { key: 'confirmWorkingDays', value: '3', effectiveFrom: '2027-01-04', previous: '2', supersedes: null },
  },
  {
    ...base,
    type: 'application.updated',
    entity: 'application',
    actor: 'APPLICANT:9d1e',
    data: {
      fields: ['phone', 'organizationIds', 'language', 'desiredAdmissionDate'],
      organizationIds: [ORG],
      language: 'RU',
      desiredAdmissionDate: '2027-01-10',
    },
  },
  {
    ...base,
    type: 'application.priority_claimed',
    entity: 'application',
    data: { category: 'LARGE_FAMILY', dueAt: '2026-09-14T19:00:00.000Z', previousStatus: 'LAPSED' },
  },
  {
    ...base,
    type: 'calendar.year_confirmed',
    entity: 'calendar',
    entityId: '2027',
    data: { year: 2027, kurbanAit: '2027-05-16' },
  },
  {
    ...ref,
    type: 'referral.booking_lapsed',
    actor: 'system',
    data: { applicationId: APP, vacancyId: VAC, admissionStartDate: '2026-09-01', lapseAt: '2026-09-15T19:00:00.000Z' },
  },
  {
    ...ref,
    type: 'referral.attendance_ended',
    actor: 'system',
    data: { applicationId: APP, vacancyId: VAC, attendanceUntil: '2026-12-31', reason: 'TERM_OVER' },
  },
  {
    ...base,
    type: 'vacancy.opened',
    entity: 'vacancy',
    entityId: VAC,
    actor: 'system:allocation',
    data: { openAt: '2026-09-09T04:00:00.000Z', priorityWindowHours: 24 },
  },
];

/** The row `ledger_event` keeps for a prepared event. */
function stored(e: LedgerEventInput): StoredLedgerRow {
  const p = prepareLedgerEvent(e);
  return { type: p.type, entity: p.entity, entity_id: p.entityId, actor: p.actor, at: new Date(p.at), data: JSON.parse(p.json) };
}

describe('ledger events: validation on append', () => {
  it('has a realistic example of every kind', () => {
    expect(new Set(EVENTS.map((e) => e.type))).toEqual(new Set(LEDGER_EVENTS.types()));
    expect(LEDGER_EVENTS.types()).toHaveLength(35);
  });

  it.each(EVENTS.map((e) => [e.type, e] as const))('%s: a realistic payload is valid, stored as before, read back', (_t, e) => {
    expect(validateLedgerEvent(e)).toEqual({ ok: true });
    const p = prepareLedgerEvent(e);
    // Version 1 kinds are stored byte for byte as JSON.stringify wrote them before events were typed.
    expect(p.json).toBe(JSON.stringify(e.data));
    expect(p.data).toEqual(JSON.parse(JSON.stringify(e.data)));
    expect(p.at).toBe(AT.toISOString());
    expect(readLedgerEvent(stored(e))).toEqual(e);
  });

  it.each<[string, LedgerEventInput, RegExp]>([
    ['unknown type', { ...base, type: 'application.teleported', entity: 'application', data: {} } as never, /unknown event type/],
    [
      'release type built at run time, not a kind',
      { ...ref, type: `referral.${'DECLINEDD'.toLowerCase()}` as 'referral.declined', data: released },
      /referral\.declinedd: unknown event type/,
    ],
    ["another kind's entity", { ...EVENTS[1], entity: 'vacancy' } as never, /entity is "vacancy", expected "application"/],
    ['empty entity id', { ...EVENTS[1], entityId: '' }, /entityId/],
    ['invalid date', { ...EVENTS[1], at: new Date('nope') }, /at: expected a valid Date/],
    ['missing field', { ...ref, type: 'referral.offered', data: { clockStart: AT.toISOString() } } as never, /data\.confirmBy: missing/],
    [
      'personal data (a key not of the payload)',
      { ...base, type: 'application.priority_lapsed', entity: 'application', data: { category: 'X', childName: 'Aruzhan' } } as never,
      /data\.childName: not a field of this payload/,
    ],
    [
      'a date where an instant belongs',
      { ...ref, type: 'referral.extended', data: { validUntil: '2026-09-30', previous: null } },
      /data\.validUntil: expected an ISO-8601 instant/,
    ],
    [
      'an instant where a date belongs',
      { ...EVENTS[8], data: { on: AT.toISOString(), vacatedAt: AT.toISOString() } } as never,
      /data\.on: expected a date YYYY-MM-DD/,
    ],
    ['not a real date', { ...EVENTS[7], data: { reason: 'r', bulletinDate: '2026-02-30' } } as never, /data\.bulletinDate/],
    [
      'a status outside the kind',
      { ...EVENTS[10], data: { ...EVENTS[10].data, status: 'CONFIRMED' } } as never,
      /data\.status: expected one of/,
    ],
    ['a fractional number', { ...EVENTS[0], data: { ...EVENTS[0].data, seq: 12.5 } } as never, /data\.seq: expected an integer/],
    ['a list item of another type', { ...EVENTS[0], data: { ...EVENTS[0].data, claims: ['A', 7] } } as never, /data\.claims\[1\]/],
    [
      'an accepted offer without its application',
      { ...EVENTS[30], data: { channel: 'sms', applicationId: null } } as never,
      /data\.applicationId: expected a non-empty string, got null/,
    ],
    [
      'the value of a changed phone (personal data) in application.updated',
      { ...base, type: 'application.updated', entity: 'application', data: { fields: ['phone'], phone: '+77011234567' } } as never,
      /data\.phone: not a field of this payload/,
    ],
    [
      'a changed field that is not changeable',
      { ...base, type: 'application.updated', entity: 'application', data: { fields: ['childIin'] } } as never,
      /data\.fields\[0\]: expected one of/,
    ],
    [
      'a payload of neither shape',
      { ...base, type: 'stop_list.ended', entity: 'stop_list', data: { manual: false } } as never,
      /matches no shape of this payload/,
    ],
  ])('refuses %s', (_what, e, message) => {
    const v = validateLedgerEvent(e);
    expect(v.ok).toBe(false);
    expect(() => prepareLedgerEvent(e)).toThrow(InvalidLedgerEventError);
    expect(() => prepareLedgerEvent(e)).toThrow(message);
  });

  it('types every call site: a wrong payload does not compile', () => {
    // @ts-expect-error confirmBy is an ISO string, not a Date (at run time JSON would store the Date as one)
    const date: LedgerEventInput = { ...ref, type: 'referral.offered', data: { clockStart: AT.toISOString(), confirmBy: AT } };
    // @ts-expect-error no such kind
    const kind: LedgerEventInput = { ...ref, type: 'referral.teleported', data: {} };
    // A type built at run time does not compile: every writer names its kind.
    // @ts-expect-error `referral.${string}` is not a kind
    const built: LedgerEventInput = { ...ref, type: `referral.${'EXPIRED'.toLowerCase()}`, data: released };
    expect([date, kind, built].map((e) => validateLedgerEvent(e).ok)).toEqual([true, false, true]);
  });
});

describe('ledger events: reading stored rows', () => {
  it('refuses a stored row it cannot vouch for', () => {
    const row = stored(EVENTS[12]);
    expect(() => readLedgerEvent({ ...row, type: 'referral.offerd' })).toThrow(/unknown event type/);
    expect(() => readLedgerEvent({ ...row, data: { clockStart: 'x', confirmBy: 'y' } })).toThrow(/data\.clockStart/);
    expect(() => readLedgerEvent({ ...row, data: { ...(row.data as object), v: 2 } })).toThrow(/v: not a version of this kind/);
    expect(readLedgerEvent({ ...row, at: AT.toISOString() }).at).toEqual(AT);
  });

  it('views a damaged row by its kind without refusing it (the audit reads what it can)', () => {
    const damaged = { seq: 7, type: 'referral.offered', entityId: REF, data: { clockStart: 42 } };
    expect(viewLedgerEvent(damaged)).toBe(damaged);
    expect(viewLedgerEvent({ ...damaged, type: 'referral.teleported' })).toBeNull();
  });
});

describe('ledger events: versions', () => {
  // A test-only kind at version 2: `note.written` v1 was { text }, v2 adds `lang` (null for old notes).
  interface NoteV1 {
    text: string;
  }
  interface NoteV2 {
    text: string;
    lang: string | null;
  }
  type Note = LedgerEventOfKind<'note.written', 'organization', NoteV2>;
  const NOTE_V1 = object<NoteV1>({ text });
  const notes = new LedgerEventRegistry<Note>({
    'note.written': {
      entity: 'organization',
      history: [upgradeStep(NOTE_V1, (d): NoteV2 => ({ ...d, lang: null }))],
      schema: object<NoteV2>({ text, lang: nullable(text) }),
    },
  });
  const row = (data: unknown): StoredLedgerRow => ({
    type: 'note.written',
    entity: 'organization',
    entity_id: ORG,
    actor: 'system',
    at: AT,
    data,
  });

  it('reads a version 1 payload (no version mark) upgraded to version 2', () => {
    expect(notes.version('note.written')).toBe(2);
    expect(notes.read(row({ text: 'old' }))).toEqual({
      type: 'note.written',
      entity: 'organization',
      entityId: ORG,
      actor: 'system',
      at: AT,
      data: { text: 'old', lang: null },
    });
  });

  it('stores version 2 with its mark and reads it back as it was written', () => {
    const e: Note = {
      type: 'note.written',
      entity: 'organization',
      entityId: ORG,
      actor: 'system',
      at: AT,
      data: { text: 'new', lang: 'kk' },
    };
    const p = notes.prepare(e);
    expect(JSON.parse(p.json)).toEqual({ text: 'new', lang: 'kk', v: 2 });
    expect(notes.read(row(JSON.parse(p.json)))).toEqual(e);
  });

  it('checks an old payload against its own version, and refuses unknown versions', () => {
    expect(() => notes.read(row({ txt: 'old' }))).toThrow(/data \(version 1\)\.text: missing/);
    expect(() => notes.read(row({ text: 'x', lang: null, v: 3 }))).toThrow(/v: not a version/);
    expect(() =>
      notes.prepare({ type: 'note.written', entity: 'organization', entityId: ORG, actor: 'system', at: AT, data: { text: 'x' } } as never),
    ).toThrow(/data\.lang: missing/);
  });

  it('the tolerant view upgrades a valid old payload and leaves a damaged one as stored', () => {
    expect(notes.view({ type: 'note.written', data: { text: 'old' } })).toEqual({
      type: 'note.written',
      data: { text: 'old', lang: null },
    });
    const damaged = { type: 'note.written', data: { text: 7 } };
    expect(notes.view(damaged)).toEqual(damaged);
    expect(notes.view({ type: 'note.written', data: { text: 'new', lang: null, v: 2 } })).toEqual({
      type: 'note.written',
      data: { text: 'new', lang: null },
    });
  });
});
