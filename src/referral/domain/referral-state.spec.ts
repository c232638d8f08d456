import {
  cancelProblem,
  edit,
  isLive,
  refusalProblem,
  missingDocuments,
  REFERRAL_ACTIONS,
  REFERRAL_STATUSES,
  requiredDocuments,
  transition,
  type DocumentKind,
  type ReferralAction,
  type ReferralStatus,
} from './referral-state.js';

/** The full table: every (status, action) pair; `null` = not allowed. */
const TABLE: Record<ReferralStatus, Record<ReferralAction, ReferralStatus | null>> = {
  BOOKED: {
    MARK_VACATED: 'OFFERED',
    CONFIRM: null,
    DECLINE: 'DECLINED',
    EXPIRE: null,
    ENROLL: null,
    CANCEL: 'CANCELLED',
    LAPSE_BOOKING: 'CANCELLED',
  },
  OFFERED: {
    MARK_VACATED: null,
    CONFIRM: 'CONFIRMED',
    DECLINE: 'DECLINED',
    EXPIRE: 'EXPIRED',
    ENROLL: null,
    CANCEL: 'CANCELLED',
    LAPSE_BOOKING: null,
  },
  CONFIRMED: {
    MARK_VACATED: null,
    CONFIRM: null,
    DECLINE: 'DECLINED',
    EXPIRE: 'EXPIRED',
    ENROLL: 'ENROLLED',
    CANCEL: 'CANCELLED',
    LAPSE_BOOKING: null,
  },
  ENROLLED: {
    MARK_VACATED: null,
    CONFIRM: null,
    DECLINE: null,
    EXPIRE: null,
    ENROLL: null,
    CANCEL: null,
    LAPSE_BOOKING: null,
  },
  DECLINED: {
    MARK_VACATED: null,
    CONFIRM: null,
    DECLINE: null,
    EXPIRE: null,
    ENROLL: null,
    CANCEL: null,
    LAPSE_BOOKING: null,
  },
  EXPIRED: {
    MARK_VACATED: null,
    CONFIRM: null,
    DECLINE: null,
    EXPIRE: null,
    ENROLL: null,
    CANCEL: null,
    LAPSE_BOOKING: null,
  },
  CANCELLED: {
    MARK_VACATED: null,
    CONFIRM: null,
    DECLINE: null,
    EXPIRE: null,
    ENROLL: null,
    CANCEL: null,
    LAPSE_BOOKING: null,
  },
};

const cases = REFERRAL_STATUSES.flatMap((status) => REFERRAL_ACTIONS.map((action) => [status, action, TABLE[status][action]] as const));

describe('transition', () => {
  it('covers all 7 × 7 pairs', () => {
    expect(cases).toHaveLength(49);
  });

  it.each(cases)('%s + %s → %s', (status, action, expected) => {
    const result = transition(status, action);
    if (expected === null) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain(status);
    } else {
      expect(result).toEqual({ ok: true, next: expected });
    }
  });

  it('only live statuses have a way out', () => {
    for (const status of REFERRAL_STATUSES) {
      const anyAllowed = REFERRAL_ACTIONS.some((action) => transition(status, action).ok);
      expect(anyAllowed).toBe(isLive(status));
    }
  });
});

describe('isLive', () => {
  it.each(REFERRAL_STATUSES.map((s) => [s, ['BOOKED', 'OFFERED', 'CONFIRMED'].includes(s)]))('%s → %s', (status, live) => {
    expect(isLive(status as ReferralStatus)).toBe(live);
  });
});

describe('documents', () => {
  const BASE = ['BIRTH_CERTIFICATE', 'HEALTH_PASSPORT', 'VACCINATION_CARD', 'APPLICANT_ID'];

  it.each([
    [0, 'GENERAL', [...BASE, 'PRIORITY_PROOF']],
    [1, 'GENERAL', [...BASE, 'PRIORITY_PROOF']],
    [2, 'GENERAL', BASE],
    [0, 'SPECIAL', [...BASE, 'PRIORITY_PROOF', 'SPECIAL_NEEDS_CONCLUSION']],
    [1, 'SPECIAL', [...BASE, 'PRIORITY_PROOF', 'SPECIAL_NEEDS_CONCLUSION']],
    [2, 'SPECIAL', [...BASE, 'SPECIAL_NEEDS_CONCLUSION']],
  ] as const)('class %i, %s group', (cls, groupType, expected) => {
    expect(requiredDocuments(cls, groupType)).toEqual(expected);
  });

  it('missingDocuments keeps the required order and ignores extras', () => {
    const required = requiredDocuments(1, 'SPECIAL');
    expect(missingDocuments(required, ['HEALTH_PASSPORT', 'SOMETHING_ELSE', 'APPLICANT_ID'])).toEqual([
      'BIRTH_CERTIFICATE',
      'VACCINATION_CARD',
      'PRIORITY_PROOF',
      'SPECIAL_NEEDS_CONCLUSION',
    ]);
    expect(missingDocuments(required, new Set(required))).toEqual([]);
    expect(missingDocuments([], [])).toEqual([]);
  });
});

describe('refusalProblem (refuseAdmission)', () => {
  const facts = { status: 'CONFIRMED' as const, deadlinePassed: false, missing: [] as DocumentKind[], note: '' };

  it('never on an OFFERED (or any not CONFIRMED) referral', () => {
    for (const status of ['BOOKED', 'OFFERED', 'ENROLLED', 'DECLINED', 'EXPIRED', 'CANCELLED'] as const) {
      expect(refusalProblem('VACCINATION_LIMIT', { ...facts, status, note: 'limit 3 of 3' })?.field).toBe('referralId');
    }
  });

  it('INCOMPLETE_DOCUMENTS only once the deadline has passed with documents missing', () => {
    expect(refusalProblem('INCOMPLETE_DOCUMENTS', facts)?.field).toBe('reason');
    expect(refusalProblem('INCOMPLETE_DOCUMENTS', { ...facts, deadlinePassed: true })?.problem).toMatch(/every required document/);
    expect(refusalProblem('INCOMPLETE_DOCUMENTS', { ...facts, missing: ['HEALTH_PASSPORT'] })?.problem).toMatch(/not passed/);
    expect(refusalProblem('INCOMPLETE_DOCUMENTS', { ...facts, missing: ['HEALTH_PASSPORT'], deadlinePassed: true })).toBeNull();
  });

  it('EXPIRED_DOCUMENTS and VACCINATION_LIMIT need a note', () => {
    expect(refusalProblem('EXPIRED_DOCUMENTS', facts)?.field).toBe('note');
    expect(refusalProblem('VACCINATION_LIMIT', facts)?.field).toBe('note');
    expect(refusalProblem('EXPIRED_DOCUMENTS', { ...facts, note: 'health passport expired' })).toBeNull();
    expect(refusalProblem('VACCINATION_LIMIT', { ...facts, note: 'limit reached' })).toBeNull();
  });
});

describe('cancelProblem (cancelReferral)', () => {
  it.each([
    ['GROUP_CLOSED', '', null],
    ['ORGANIZATION_ERROR', '', null],
    ['DUPLICATE', 'x', null],
    ['OTHER', 'burst pipe', null],
    ['OTHER', '', 'note'],
    ['SOMETHING', 'x', 'reason'],
    ['group_closed', '', 'reason'],
  ])('%s with note %j → %s', (reason, note, field) => {
    expect(cancelProblem(reason, note)?.field ?? null).toBe(field);
  });
});

describe('edits', () => {
  it('END_ATTENDANCE only for an ENROLLED referral', () => {
    for (const status of REFERRAL_STATUSES) expect(edit(status, 'END_ATTENDANCE').ok).toBe(status === 'ENROLLED');
  });
});
