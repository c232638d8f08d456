import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { GroupType, WorkMode } from '../../vacancy/dto/vacancy.enums.js';
import { ApplicationStatus } from './application.enums.js';
import { PageArgs } from '../../platform/graphql/connection.js';
import { DateScalarType } from '../../platform/graphql/scalars.js';
import { IsKatoLocality, IsLanguageCode } from '../../platform/graphql/validators.js';

@InputType()
export class RegisterApplicationInput {
  @Field({ description: "Child's IIN (12 digits; birth date and century from it)" })
  @IsString()
  @Matches(/^\d{12}$/, { message: 'childIin must be 12 digits' })
  childIin: string;

  @Field()
  @IsString()
  @Length(1, 200, { message: 'childName must be 1 to 200 characters' })
  childName: string;

  @Field()
  @IsString()
  @Matches(/^\d{12}$/, { message: 'applicantIin must be 12 digits' })
  applicantIin: string;

  @Field({ description: '+7 7XX XXX XX XX' })
  @IsString()
  @MaxLength(30, { message: 'phone is too long' })
  phone: string;

  @Field({ description: 'KATO code of the locality (9 digits)' })
  @IsString()
  @IsKatoLocality()
  locality: string;

  @Field(() => [ID], { nullable: true, description: 'Up to 4 organizations; empty = any in the locality' })
  @IsOptional()
  @ArrayMaxSize(4, { message: 'organizationIds may hold at most 4 organizations' })
  @ArrayUnique({ message: 'organizationIds must not repeat an organization' })
  @IsUUID('all', { each: true, message: 'organizationIds must hold organization ids' })
  organizationIds?: string[];

  @Field(() => ID, { nullable: true, description: 'Register as one batch with this application (twins, triplets)' })
  @IsOptional()
  @IsUUID('all', { message: 'siblingsOf must be an application id' })
  siblingsOf?: string;

  @Field({ description: 'Language of the group: KK, RU or another code' })
  @IsString()
  @IsLanguageCode()
  language: string;

  @Field(() => GroupType, { defaultValue: GroupType.GENERAL })
  @IsEnum(GroupType)
  groupType: GroupType = GroupType.GENERAL;

  @Field(() => [WorkMode], { defaultValue: [WorkMode.FULL_DAY] })
  @ArrayMinSize(1, { message: 'workModes must hold at least one work mode' })
  @ArrayMaxSize(3)
  @ArrayUnique({ message: 'workModes must not repeat' })
  @IsEnum(WorkMode, { each: true })
  workModes: WorkMode[] = [WorkMode.FULL_DAY];

  @Field(() => DateScalarType, { description: 'YYYY-MM-DD' })
  @IsString()
  desiredAdmissionDate: string;

  @Field(() => [String], { defaultValue: [] })
  @ArrayMaxSize(8)
  @ArrayUnique({ message: 'priorityCategories must not repeat' })
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  priorityCategories: string[] = [];

  @Field(() => Boolean, { defaultValue: false })
  @IsBoolean()
  acceptsTemporaryStay: boolean = false;

  @Field(() => String, { defaultValue: 'kk' })
  @IsIn(['kk', 'ru'], { message: 'notificationLanguage must be kk or ru' })
  notificationLanguage: string = 'kk';
}

/** updateApplication: only the fields given change; number and registration time are kept. */
@InputType()
export class UpdateApplicationInput {
  @Field({ nullable: true, description: '+7 7XX XXX XX XX' })
  @IsOptional()
  @IsString()
  @MaxLength(30, { message: 'phone is too long' })
  phone?: string;

  @Field(() => [ID], { nullable: true, description: 'Up to 4 organizations of the locality; empty = any in the locality' })
  @IsOptional()
  @ArrayMaxSize(4, { message: 'organizationIds may hold at most 4 organizations' })
  @ArrayUnique({ message: 'organizationIds must not repeat an organization' })
  @IsUUID('all', { each: true, message: 'organizationIds must hold organization ids' })
  organizationIds?: string[];

  @Field({ nullable: true, description: 'Language of the group: KK, RU or another code' })
  @IsOptional()
  @IsString()
  @IsLanguageCode()
  language?: string;

  @Field(() => [WorkMode], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'workModes must hold at least one work mode' })
  @ArrayMaxSize(3)
  @ArrayUnique({ message: 'workModes must not repeat' })
  @IsEnum(WorkMode, { each: true })
  workModes?: WorkMode[];

  @Field(() => GroupType, { nullable: true })
  @IsOptional()
  @IsEnum(GroupType)
  groupType?: GroupType;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  acceptsTemporaryStay?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(['kk', 'ru'], { message: 'notificationLanguage must be kk or ru' })
  notificationLanguage?: string;

  @Field(() => DateScalarType, { nullable: true, description: 'YYYY-MM-DD, not before the birth date' })
  @IsOptional()
  @IsString()
  desiredAdmissionDate?: string;
}

@ArgsType()
export class ApplicationsArgs extends PageArgs {
  @Field({ nullable: true })
  @IsOptional()
  @IsKatoLocality()
  locality?: string;

  @Field(() => Int, { nullable: true, description: 'Birth year' })
  @IsOptional()
  @IsInt()
  @Min(1900)
  @Max(2200)
  cohort?: number;

  @Field(() => ApplicationStatus, { nullable: true })
  @IsOptional()
  @IsEnum(ApplicationStatus)
  status?: ApplicationStatus;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsIn([0, 1, 2], { message: 'priorityClass must be 0, 1 or 2' })
  priorityClass?: number;
}
