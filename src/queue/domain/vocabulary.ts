/**
 * The words of an application: its status and the status of a claimed priority category. Each is a
 * list, its string-union type and an enum-like object of the same name (`ClaimStatus.PENDING`); GraphQL
 * registers the objects in ../dto/application.enums.ts. Pure.
 */
import { enumOf } from '../../platform/identifiers/enum-of.js';
import { APPLICATION_STATUSES, type ApplicationState } from './application-state.js';

/** The life cycle's states ({@link APPLICATION_STATUSES}) by name. */
export type ApplicationStatus = ApplicationState;
export const ApplicationStatus = enumOf(APPLICATION_STATUSES);

/** A claimed priority category: waiting for proof, proven, rejected, or its proof period ran out. */
export const CLAIM_STATUSES = ['PENDING', 'CONFIRMED', 'REJECTED', 'LAPSED'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export const ClaimStatus = enumOf(CLAIM_STATUSES);
