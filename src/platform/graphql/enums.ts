import { registerEnumType } from '@nestjs/graphql';

export enum GroupType {
  GENERAL = 'GENERAL',
  SPECIAL = 'SPECIAL',
}
export enum WorkMode {
  FULL_DAY = 'FULL_DAY',
  HALF_DAY = 'HALF_DAY',
  ROUND_THE_CLOCK = 'ROUND_THE_CLOCK',
}
export enum AdmissionMode {
  GENERAL = 'GENERAL',
  EARLY_BOOKING = 'EARLY_BOOKING',
  TEMPORARY_STAY = 'TEMPORARY_STAY',
}
export enum ApplicationStatus {
  QUEUED = 'QUEUED',
  REFERRED = 'REFERRED',
  STOP_LISTED = 'STOP_LISTED',
  ARCHIVED = 'ARCHIVED',
}
export enum VacancyStatus {
  PUBLISHED = 'PUBLISHED',
  BOOKED = 'BOOKED',
  REFERRED = 'REFERRED',
  FILLED = 'FILLED',
  REVOKED = 'REVOKED',
}
export enum ReferralStatus {
  BOOKED = 'BOOKED',
  OFFERED = 'OFFERED',
  CONFIRMED = 'CONFIRMED',
  ENROLLED = 'ENROLLED',
  DECLINED = 'DECLINED',
  EXPIRED = 'EXPIRED',
  CANCELLED = 'CANCELLED',
}
export enum BulletinKind {
  VACATED = 'VACATED',
  REVOKED = 'REVOKED',
}
export enum ArchiveReason {
  ENROLLED = 'ENROLLED',
  WITHDRAWN = 'WITHDRAWN',
  AGED_OUT = 'AGED_OUT',
  DUPLICATE = 'DUPLICATE',
  OTHER = 'OTHER',
}
export enum DocumentKind {
  BIRTH_CERTIFICATE = 'BIRTH_CERTIFICATE',
  HEALTH_PASSPORT = 'HEALTH_PASSPORT',
  VACCINATION_CARD = 'VACCINATION_CARD',
  APPLICANT_ID = 'APPLICANT_ID',
  PRIORITY_PROOF = 'PRIORITY_PROOF',
  SPECIAL_NEEDS_CONCLUSION = 'SPECIAL_NEEDS_CONCLUSION',
}
export enum RefusalReason {
  INCOMPLETE_DOCUMENTS = 'INCOMPLETE_DOCUMENTS',
  EXPIRED_DOCUMENTS = 'EXPIRED_DOCUMENTS',
  VACCINATION_LIMIT = 'VACCINATION_LIMIT',
}
export enum ClaimStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
  LAPSED = 'LAPSED',
}

registerEnumType(GroupType, { name: 'GroupType' });
registerEnumType(WorkMode, { name: 'WorkMode' });
registerEnumType(AdmissionMode, { name: 'AdmissionMode' });
registerEnumType(ApplicationStatus, { name: 'ApplicationStatus' });
registerEnumType(VacancyStatus, { name: 'VacancyStatus' });
registerEnumType(ReferralStatus, { name: 'ReferralStatus' });
registerEnumType(BulletinKind, { name: 'BulletinKind' });
registerEnumType(ArchiveReason, { name: 'ArchiveReason' });
registerEnumType(DocumentKind, { name: 'DocumentKind' });
registerEnumType(RefusalReason, { name: 'RefusalReason' });
registerEnumType(ClaimStatus, { name: 'ClaimStatus' });
