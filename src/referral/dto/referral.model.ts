import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Application } from '../../queue/dto/application.model.js';
import { DocumentKind, ReferralStatus } from './referral.enums.js';
import { Vacancy } from '../../vacancy/dto/vacancy.model.js';

@ObjectType({ description: 'A place held for an applicant while documents are processed' })
export class Referral {
  @Field(() => ID) id: string;
  @Field(() => ReferralStatus) status: ReferralStatus;
  applicationId: string;
  vacancyId: string;
  @Field(() => Application) application?: Application;
  @Field(() => Vacancy) vacancy?: Vacancy;
  @Field() issuedAt: Date;
  @Field(() => Date, { nullable: true, description: 'When the confirmation/document clocks started' }) clockStart: Date | null;
  @Field(() => Date, { nullable: true, description: 'OFFERED: confirm or decline before this instant' }) confirmBy: Date | null;
  @Field(() => Date, { nullable: true }) confirmedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'CONFIRMED: documents and contract before this instant' })
  validUntil: Date | null;
  @Field() extended: boolean;
  @Field(() => [DocumentKind]) documents: DocumentKind[];
  @Field(() => [DocumentKind]) requiredDocuments: DocumentKind[];
  @Field(() => [DocumentKind]) missingDocuments: DocumentKind[];
  @Field({ description: 'Claimed as an open place (first come, first served)' }) claimed: boolean;
  @Field(() => Date, { nullable: true }) closedAt: Date | null;
  @Field(() => String, { nullable: true }) closeReason: string | null;
  @Field(() => String, { nullable: true, description: "The organization's or operator's note on a refusal or cancellation" })
  closeNote: string | null;
  @Field(() => Date, { nullable: true, description: 'A temporary-stay place: when the attendance term ended' })
  attendanceEndedAt: Date | null;
}

@ObjectType()
export class AllocationRun {
  @Field(() => ID) id: string;
  @Field() startedAt: Date;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
  @Field(() => Int) vacanciesConsidered: number;
  @Field(() => Int) referralsIssued: number;
  @Field() trigger: string;
  @Field(() => [String], { description: 'Localities allocated in this run' }) localities: string[];
}
