import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ArchiveReason } from '../../archive/dto/archive.enums.js';
import { GroupType, WorkMode } from '../../vacancy/dto/vacancy.enums.js';
import { ApplicationStatus, ClaimStatus } from './application.enums.js';
import { Connection } from '../../platform/graphql/connection.js';
import { DateScalarType } from '../../platform/graphql/scalars.js';

@ObjectType()
export class PriorityCategory {
  @Field() code: string;
  @Field(() => Int, { description: '0 out of turn, 1 first priority' }) priorityClass: number;
  @Field() legalBasis: string;
  @Field() nameKk: string;
  @Field() nameRu: string;
}

@ObjectType()
export class CategoryClaim {
  @Field() category: string;
  @Field(() => ClaimStatus) status: ClaimStatus;
  @Field() claimedAt: Date;
  @Field({ description: 'Proof must be confirmed before this instant' }) dueAt: Date;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
}

@ObjectType({ description: 'A request to admit one child (visible to its applicant and ADMIN only)' })
export class Application {
  @Field(() => ID) id: string;
  @Field({ description: 'The application number a parent holds' }) number: string;
  @Field(() => ApplicationStatus) status: ApplicationStatus;
  @Field() registeredAt: Date;
  @Field() childIin: string;
  @Field() childName: string;
  @Field(() => DateScalarType, { description: 'From the IIN' }) childBirthDate: string;
  @Field(() => Int, { description: 'Birth-year cohort: the queue is (locality, cohort)' }) cohort: number;
  @Field() applicantIin: string;
  @Field() phone: string;
  @Field() locality: string;
  @Field(() => [ID]) organizationIds: string[];
  @Field() language: string;
  @Field(() => GroupType) groupType: GroupType;
  @Field(() => [WorkMode]) workModes: WorkMode[];
  @Field(() => DateScalarType) desiredAdmissionDate: string;
  @Field() acceptsTemporaryStay: boolean;
  @Field() notificationLanguage: string;
  @Field(() => Int, { description: '0 out of turn, 1 first priority, 2 general' }) priorityClass: number;
  @Field(() => [CategoryClaim]) claims: CategoryClaim[];
  @Field(() => ID, { nullable: true, description: 'Twins/triplets registered as one batch share it' })
  batchId: string | null;
  @Field(() => ArchiveReason, { nullable: true }) archiveReason: ArchiveReason | null;
  @Field(() => Date, { nullable: true }) archivedAt: Date | null;
  @Field(() => String, { nullable: true }) stopListReason: string | null;
  @Field(() => DateScalarType, { nullable: true }) stopListedUntil: string | null;
}

export const ApplicationConnection = Connection(Application, 'Application');

@ObjectType()
export class ClassCount {
  @Field(() => Int) priorityClass: number;
  @Field(() => Int) count: number;
}

@ObjectType({ description: 'How many applications ahead chose this organization (or any in the locality)' })
export class OrganizationPosition {
  @Field(() => ID) organizationId: string;
  @Field() organizationName: string;
  @Field(() => Int) ahead: number;
}

@ObjectType({ description: 'A place in the queue, without personal data' })
export class QueuePosition {
  @Field(() => ID) applicationId: string;
  @Field() number: string;
  @Field(() => ApplicationStatus) status: ApplicationStatus;
  @Field(() => Int) queueNumber: number;
  @Field(() => Int, { description: 'Applications in this queue (locality, cohort)' }) total: number;
  @Field() locality: string;
  @Field(() => Int) cohort: number;
  @Field(() => Int, { nullable: true, description: 'Own priority class: ADMIN and the owner only (a class reveals a category)' })
  priorityClass: number | null;
  @Field() registeredAt: Date;
  @Field(() => [ClassCount], { description: 'Applications ahead, by priority class: why this number' })
  aheadByClass: ClassCount[];
  @Field(() => [OrganizationPosition]) positionsByOrganization: OrganizationPosition[];
}
