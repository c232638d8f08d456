/**
 * The words of a place (vacancy): its group, work mode, how it is filled, its status and the bulletin
 * entries it appears in. Each is a list, its string-union type and an enum-like object of the same
 * name (`GroupType.GENERAL`); GraphQL registers the objects in ../dto/vacancy.enums.ts. Pure.
 */
import { enumOf } from '../../platform/identifiers/enum-of.js';
import { VACANCY_STATES, type VacancyState } from './vacancy-state.js';

export const GROUP_TYPES = ['GENERAL', 'SPECIAL'] as const;
export type GroupType = (typeof GROUP_TYPES)[number];
export const GroupType = enumOf(GROUP_TYPES);

export const WORK_MODES = ['FULL_DAY', 'HALF_DAY', 'ROUND_THE_CLOCK'] as const;
export type WorkMode = (typeof WORK_MODES)[number];
export const WorkMode = enumOf(WORK_MODES);

export const ADMISSION_MODES = ['GENERAL', 'EARLY_BOOKING', 'TEMPORARY_STAY'] as const;
export type AdmissionMode = (typeof ADMISSION_MODES)[number];
export const AdmissionMode = enumOf(ADMISSION_MODES);

/** The life cycle's states ({@link VACANCY_STATES}) by name. */
export type VacancyStatus = VacancyState;
export const VacancyStatus = enumOf(VACANCY_STATES);

/** Why a place is in a day's bulletin: it was vacated (published) or revoked. */
export const BULLETIN_KINDS = ['VACATED', 'REVOKED'] as const;
export type BulletinKind = (typeof BULLETIN_KINDS)[number];
export const BulletinKind = enumOf(BULLETIN_KINDS);
