/**
 * Ages and month spans of the queue, all counted in completed months as `ageInMonths`
 * (src/platform/identifiers/iin.ts) counts them — the same count as the allocation's age periods
 * (referral/domain/eligibility.ts), registration's age limit and the SQL `age_in_months` of the age-out
 * sweep (migration 1764000000100). So a child born on 29 February completes its years on 1 March of a
 * common year everywhere. Pure.
 */
import { ageInMonths } from '../../platform/identifiers/iin.js';

/**
 * Twins/triplets of one family are born "within one month of each other": the later birth is at most one
 * month (in the same count) after the earlier one — 10 Jan and 10 Feb are, 10 Jan and 11 Feb are not.
 */
export function bornWithinOneMonth(a: string, b: string): boolean {
  const [first, second] = a <= b ? [a, b] : [b, a];
  const months = ageInMonths(first, second);
  return months === 0 || (months === 1 && second.slice(8) === first.slice(8));
}
