/** Pure rules for places and bulletins (para 3.3 of the Rules; rules/NOTES.md "Places and bulletins"). */
import type { AdmissionMode, GroupType } from './vocabulary.js';

export interface TransferPeriod {
  /** MM-DD, inclusive */
  from: string;
  to: string;
}

/** 1–31 August by default: children move between groups; no places published, no referrals issued. */
export function inTransferPeriod(date: string, p: TransferPeriod): boolean {
  const md = date.slice(5, 10);
  return p.from <= p.to ? md >= p.from && md <= p.to : md >= p.from || md <= p.to;
}

export interface VacancyDraft {
  ageFromMonths: number;
  ageToMonths: number;
  groupType: GroupType;
  admissionMode: AdmissionMode;
  admissionStartDate: string;
  attendanceUntil?: string | null;
}

/** First problem with a place's attributes as [field, problem], or null. */
export function vacancyProblem(v: VacancyDraft): [string, string] | null {
  if (v.ageFromMonths < 0) return ['ageFromMonths', 'must be 0 or more'];
  if (v.ageFromMonths > v.ageToMonths) return ['ageToMonths', 'must not be less than ageFromMonths'];
  if (v.admissionMode === 'TEMPORARY_STAY') {
    if (!v.attendanceUntil) return ['attendanceUntil', 'is required for a TEMPORARY_STAY place'];
    if (v.attendanceUntil <= v.admissionStartDate) return ['attendanceUntil', 'must be after admissionStartDate'];
  } else if (v.attendanceUntil) {
    return ['attendanceUntil', 'is only for TEMPORARY_STAY places'];
  }
  return null;
}
