import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsEnum,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { WorkMode } from '../../vacancy/dto/vacancy.enums.js';
import { DateScalarType } from '../../platform/graphql/scalars.js';
import { IsKatoLocality, IsLanguageCode } from '../../platform/graphql/validators.js';

@InputType({
  description: 'A birth registration from the civil registry: the child the state offers to put in the queue',
})
export class BirthInput {
  @Field({ description: "Child's IIN (12 digits; birth date from it)" })
  @IsString()
  @Matches(/^\d{12}$/, { message: 'childIin must be 12 digits' })
  childIin: string;

  @Field()
  @IsString()
  @Length(1, 200, { message: 'childName must be 1 to 200 characters' })
  childName: string;

  @Field({ description: "The parent's IIN: the applicant once they consent" })
  @IsString()
  @Matches(/^\d{12}$/, { message: 'applicantIin must be 12 digits' })
  applicantIin: string;

  @Field({ description: "The parent's mobile phone, +7 7XX XXX XX XX: the offer is texted there" })
  @IsString()
  @MaxLength(30, { message: 'phone is too long' })
  phone: string;

  @Field({ description: 'KATO code of the locality (9 digits)' })
  @IsString()
  @IsKatoLocality()
  locality: string;

  @Field({ defaultValue: 'KK', description: 'Language of the group: KK, RU or another code' })
  @IsString()
  @IsLanguageCode()
  language: string = 'KK';

  @Field({ defaultValue: 'kk', description: 'Language of the texts: kk or ru' })
  @IsIn(['kk', 'ru'], { message: 'notificationLanguage must be kk or ru' })
  notificationLanguage: string = 'kk';

  @Field(() => [ID], {
    nullable: true,
    description: 'Up to 4 organizations; empty = any in the locality',
  })
  @IsOptional()
  @ArrayMaxSize(4, { message: 'organizationIds may hold at most 4 organizations' })
  @ArrayUnique({ message: 'organizationIds must not repeat an organization' })
  @IsUUID('all', { each: true, message: 'organizationIds must hold organization ids' })
  organizationIds?: string[];

  @Field(() => DateScalarType, {
    nullable: true,
    description: "YYYY-MM-DD; default: the child's first birthday",
  })
  @IsOptional()
  @IsString()
  desiredAdmissionDate?: string;

  @Field(() => [WorkMode], { defaultValue: [WorkMode.FULL_DAY] })
  @ArrayMinSize(1, { message: 'workModes must hold at least one work mode' })
  @ArrayMaxSize(3)
  @ArrayUnique({ message: 'workModes must not repeat' })
  @IsEnum(WorkMode, { each: true })
  workModes: WorkMode[] = [WorkMode.FULL_DAY];
}

@ObjectType({
  description: "The state's offer to put a newborn in the queue; the parent consents from their phone",
})
export class ProactiveOffer {
  @Field(() => ID) id: string;
  @Field({ description: 'PENDING, ACCEPTED, REFUSED or EXPIRED' }) status: string;
  @Field() createdAt: Date;
  @Field({ description: 'An answer must come before this instant' }) expiresAt: Date;
  @Field(() => Date, { nullable: true }) answeredAt: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Number of the application registered on consent (no personal data)',
  })
  applicationNumber: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The one-time code, only in the answer to registerBirth (it is also in the text to the parent)',
  })
  token: string | null;
  /** Not a field: the application, resolved for ADMIN or its applicant only. */
  applicationId: string | null;
}
