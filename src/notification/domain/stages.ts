/** Every stage that sends the applicant a text (rules/NOTES.md "Notifications"). */
export const STAGES = [
  'APPLICATION_REGISTERED',
  'APPLICATION_UPDATED',
  'PROOF_REQUESTED',
  'PRIORITY_CONFIRMED',
  'PRIORITY_REJECTED',
  'PRIORITY_LAPSED',
  'REFERRAL_OFFERED',
  'REFERRAL_BOOKED',
  'DEADLINE_REMINDER',
  'REFERRAL_CONFIRMED',
  'REFERRAL_DECLINED',
  'REFERRAL_EXTENDED',
  'REFERRAL_EXPIRED_STOP_LISTED',
  'REFERRAL_CANCELLED',
  'ADMISSION_REFUSED',
  'STOP_LISTED',
  'STOP_LIST_ENDED',
  'ENROLLED',
  'ENROLLED_TEMPORARY',
  'TEMPORARY_STAY_ENDED',
  'EARLY_BOOKING_LAPSED',
  'ARCHIVED',
  'RESTORED',
  'PROACTIVE_OFFER',
  'PROACTIVE_HELP',
  'OPEN_PLACE_FITS',
] as const;
export type Stage = (typeof STAGES)[number];
export type Language = 'kk' | 'ru';

/** Fills `{name}` placeholders; a missing parameter is an error (never send a half-filled text). */
export function renderTemplate(template: string, params: Record<string, string | number>): string {
  return template
    .replace(/\{(\w+)\}/g, (_, key: string) => {
      const v = params[key];
      if (v === undefined) throw new Error(`template parameter ${key} missing`);
      return String(v);
    })
    .trim();
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}
