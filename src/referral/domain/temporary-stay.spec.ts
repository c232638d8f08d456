import { attendanceOver, HOLDS_TEMPORARY_PLACE_SQL, mayOfferTemporaryPlace } from './temporary-stay.js';

describe('temporary stay (definition 14)', () => {
  it('a child attending a temporary place gets no second temporary offer; any other place may still come', () => {
    expect(mayOfferTemporaryPlace('TEMPORARY_STAY', true)).toBe(false);
    expect(mayOfferTemporaryPlace('TEMPORARY_STAY', false)).toBe(true);
    expect(mayOfferTemporaryPlace('GENERAL', true)).toBe(true);
    expect(mayOfferTemporaryPlace('EARLY_BOOKING', true)).toBe(true);
  });

  it('the attendance term is over once its last day is (00:00 after it)', () => {
    expect(attendanceOver('2026-12-14', '2026-12-14')).toBe(false);
    expect(attendanceOver('2026-12-14', '2026-12-15')).toBe(true);
    expect(attendanceOver('2026-12-31', '2027-01-01')).toBe(true);
  });

  it('the SQL predicate reads the running terms of the aliased application', () => {
    expect(HOLDS_TEMPORARY_PLACE_SQL('a')).toMatch(/tr\.application_id = a\.id/);
    expect(HOLDS_TEMPORARY_PLACE_SQL('a')).toMatch(/attendance_ended_at IS NULL/);
  });
});
