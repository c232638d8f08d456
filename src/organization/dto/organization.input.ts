import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { PageArgs } from '../../platform/graphql/connection.js';
import { IsKatoLocality } from '../../platform/graphql/validators.js';

@InputType()
export class CreateOrganizationInput {
  @Field()
  @IsString()
  @Length(1, 300, { message: 'name must be 1 to 300 characters' })
  name: string;

  @Field({ nullable: true, description: 'Name in Kazakh; `name` when omitted' })
  @IsOptional()
  @IsString()
  @Length(1, 300, { message: 'nameKk must be 1 to 300 characters' })
  nameKk?: string;

  @Field({ nullable: true, description: 'Name in Russian; `name` when omitted' })
  @IsOptional()
  @IsString()
  @Length(1, 300, { message: 'nameRu must be 1 to 300 characters' })
  nameRu?: string;

  @Field({ description: '12-digit BIN with a valid check digit' })
  @IsString()
  bin: string;

  @Field({ description: 'KATO code, 9 digits' })
  @IsString()
  @IsKatoLocality()
  locality: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;
}

@ArgsType()
export class OrganizationsArgs extends PageArgs {
  @Field({ nullable: true, description: 'KATO code filter' })
  @IsOptional()
  @IsKatoLocality()
  locality?: string;
}
