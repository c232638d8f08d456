import { amendFacts, changedFieldsText, type ChangeableFacts } from './application-changes.js';

const FACTS: ChangeableFacts = {
  phone: '+77011234567',
  organizationIds: ['o1', 'o2'],
  language: 'KK',
  workModes: ['FULL_DAY', 'HALF_DAY'],
  groupType: 'GENERAL',
  acceptsTemporaryStay: false,
  notificationLanguage: 'kk',
  desiredAdmissionDate: '2026-09-01',
};

describe('amendFacts', () => {
  it('nothing given, or the same facts (lists in another order): no change', () => {
    expect(amendFacts(FACTS, {})).toEqual({ next: FACTS, changed: [] });
    expect(
      amendFacts(FACTS, {
        organizationIds: ['o2', 'o1'],
        workModes: ['HALF_DAY', 'FULL_DAY'],
        phone: FACTS.phone,
        acceptsTemporaryStay: false,
      }).changed,
    ).toEqual([]);
  });

  it('lists the changed fields in a fixed order and returns the new facts', () => {
    const { next, changed } = amendFacts(FACTS, {
      desiredAdmissionDate: '2027-01-10',
      organizationIds: [],
      phone: '+77019998877',
      acceptsTemporaryStay: true,
    });
    expect(changed).toEqual(['phone', 'organizationIds', 'acceptsTemporaryStay', 'desiredAdmissionDate']);
    expect(next).toEqual({
      ...FACTS,
      phone: '+77019998877',
      organizationIds: [],
      acceptsTemporaryStay: true,
      desiredAdmissionDate: '2027-01-10',
    });
    expect(FACTS.organizationIds).toEqual(['o1', 'o2']);
  });

  it('names the changes in the family language, no values (no personal data in the text)', () => {
    expect(changedFieldsText(['phone', 'language'], 'ru')).toBe('номер телефона, язык группы');
    expect(changedFieldsText(['phone', 'language'], 'kk')).toBe('телефон нөмірі, топ тілі');
  });
});
