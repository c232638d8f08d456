import { SignedTreeHead } from '../../ledger/dto/ledger.model.js';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { Organization } from '../../organization/dto/organization.model.js';
import { Connection, PageArgs } from '../../platform/graphql/connection.js';
import { AdmissionMode, BulletinKind, GroupType, VacancyStatus, WorkMode } from './vacancy.enums.js';
import { DateScalarType } from '../../platform/graphql/scalars.js';
import { IsKatoLocality, IsLanguageCode } from '../../platform/graphql/validators.js';

@ObjectType({ description: 'One place in a preschool organization (para 3.3 of the Rules)' })
export class Vacancy {
  @Field(() => ID) id: string;
  organizationId: string;
  @Field(() => Organization) organization?: Organization;
  @Field() locality: string;
  @Field(() => VacancyStatus) status: VacancyStatus;
  @Field() ageGroup: string;
  @Field() language: string;
  @Field(() => Int) ageFromMonths: number;
  @Field(() => Int) ageToMonths: number;
  @Field(() => GroupType) groupType: GroupType;
  @Field(() => WorkMode) workMode: WorkMode;
  @Field(() => AdmissionMode) admissionMode: AdmissionMode;
  @Field(() => DateScalarType) admissionStartDate: string;
  @Field(() => DateScalarType, { nullable: true }) attendanceUntil: string | null;
  @Field({ description: 'When the organization handed the place over' }) publishedAt: Date;
  @Field(() => Date, { nullable: true, description: 'Early booking: when the place actually freed' }) vacatedAt: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => String, { nullable: true }) revokeReason: string | null;
  @Field(() => DateScalarType, { nullable: true, description: 'Publication day of the bulletin it appeared in' })
  bulletinDate: string | null;
  @Field(() => Date, { nullable: true, description: 'From then on, unreferred, it is open for claims' }) openAt: Date | null;
  @Field({ description: 'Past its priority window with no referral: any fitting queued applicant may claim it' })
  openForClaim: boolean;
}

export const VacancyConnection = Connection(Vacancy, 'Vacancy');

@ObjectType()
export class BulletinEntry {
  @Field(() => Int, { description: 'Hand-over order within the bulletin' }) position: number;
  @Field({ description: 'Hand-over (VACATED) or take-back (REVOKED) time' }) at: Date;
  @Field(() => BulletinKind) kind: BulletinKind;
  @Field(() => DateScalarType) date: string;
  @Field() locality: string;
  vacancyId: string;
  @Field(() => Vacancy) vacancy?: Vacancy;
  @Field(() => String, { nullable: true, description: 'Ledger head hash pinned when this bulletin was frozen' })
  ledgerHead: string | null;
  @Field(() => SignedTreeHead, { nullable: true, description: 'Signed ledger tree head this bulletin was published under (witness it)' })
  signedHead: SignedTreeHead | null;
}

@InputType()
export class PublishVacancyInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'organizationId must be an organization id' })
  organizationId: string;

  @Field()
  @IsString()
  @Length(1, 100, { message: 'ageGroup must be 1 to 100 characters' })
  ageGroup: string;

  @Field()
  @IsLanguageCode()
  language: string;

  @Field(() => Int)
  @IsInt({ message: 'ageFromMonths must be an integer' })
  @Min(0, { message: 'ageFromMonths must be 0 or more' })
  @Max(96, { message: 'ageFromMonths must be at most 96' })
  ageFromMonths: number;

  @Field(() => Int)
  @IsInt({ message: 'ageToMonths must be an integer' })
  @Min(0, { message: 'ageToMonths must be 0 or more' })
  @Max(96, { message: 'ageToMonths must be at most 96' })
  ageToMonths: number;

  @Field(() => GroupType)
  @IsEnum(GroupType)
  groupType: GroupType;

  @Field(() => WorkMode)
  @IsEnum(WorkMode)
  workMode: WorkMode;

  @Field(() => AdmissionMode)
  @IsEnum(AdmissionMode)
  admissionMode: AdmissionMode;

  @Field(() => DateScalarType)
  @IsString()
  admissionStartDate: string;

  @Field(() => DateScalarType, { nullable: true })
  @IsOptional()
  @IsString()
  attendanceUntil?: string | null;

  @Field(() => Int, { defaultValue: 1 })
  @Type(() => Number)
  @IsInt({ message: 'count must be an integer' })
  @Min(1, { message: 'count must be at least 1' })
  @Max(100, { message: 'count must be at most 100' })
  count: number = 1;
}

@ArgsType()
export class VacanciesArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'organizationId must be an organization id' })
  organizationId?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsKatoLocality()
  locality?: string;

  @Field(() => VacancyStatus, { nullable: true })
  @IsOptional()
  @IsEnum(VacancyStatus)
  status?: VacancyStatus;

  @Field(() => AdmissionMode, { nullable: true })
  @IsOptional()
  @IsEnum(AdmissionMode)
  admissionMode?: AdmissionMode;

  @Field(() => Boolean, { nullable: true, description: 'Only places open for claims' })
  @IsOptional()
  @IsBoolean()
  openForClaim?: boolean;
}
