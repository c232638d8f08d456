import fc from 'fast-check';
import { ageInMonths as identifiersAgeInMonths, ageInYears } from '../../platform/identifiers/iin.js';
import { ageInMonths as eligibilityAgeInMonths } from '../../referral/domain/eligibility.js';
import { bornWithinOneMonth } from './age.js';

const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('months of age, one count everywhere', () => {
  it('registration (identifiers) and allocation (eligibility) count the same completed months', () => {
    fc.assert(
      fc.property(isoDate, isoDate, (a, b) => {
        expect(eligibilityAgeInMonths(a, b)).toBe(identifiersAgeInMonths(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('a child born on 29 February completes its years on 1 March of a common year', () => {
    expect(ageInYears('2020-02-29', '2026-02-28')).toBe(5);
    expect(ageInYears('2020-02-29', '2026-03-01')).toBe(6);
    expect(ageInYears('2020-02-29', '2024-02-29')).toBe(4);
  });
});

describe('twins born within one month of each other', () => {
  it.each([
    ['2024-01-10', '2024-01-10', true],
    ['2024-01-10', '2024-02-10', true],
    ['2024-02-10', '2024-01-10', true],
    ['2024-01-10', '2024-02-11', false],
    ['2024-01-31', '2024-02-29', true],
    ['2023-01-31', '2023-03-01', false],
    ['2023-12-20', '2024-01-19', true],
  ] as const)('%s and %s: %s', (a, b, within) => {
    expect(bornWithinOneMonth(a, b)).toBe(within);
  });
});
