/**
 * Why an application left the queue. A list, its string-union type and an enum-like object of the same
 * name (`ArchiveReason.AGED_OUT`); GraphQL registers the object in ../dto/archive.enums.ts. Pure.
 */
import { enumOf } from '../../platform/identifiers/enum-of.js';

export const ARCHIVE_REASONS = ['ENROLLED', 'WITHDRAWN', 'AGED_OUT', 'DUPLICATE', 'OTHER'] as const;
export type ArchiveReason = (typeof ARCHIVE_REASONS)[number];
export const ArchiveReason = enumOf(ARCHIVE_REASONS);
