import { ArgsType, Field } from '@nestjs/graphql';
import { IsEnum, IsOptional } from 'class-validator';
import { Connection, PageArgs } from '../../platform/graphql/connection.js';
import { ArchiveReason } from './archive.enums.js';
import { Application } from '../../queue/dto/application.model.js';
import { IsKatoLocality } from '../../platform/graphql/validators.js';

export const ArchivedApplicationConnection = Connection(Application, 'ArchivedApplication');

@ArgsType()
export class ArchiveArgs extends PageArgs {
  @Field(() => ArchiveReason, { nullable: true })
  @IsOptional()
  @IsEnum(ArchiveReason)
  reason?: ArchiveReason;

  @Field({ nullable: true })
  @IsOptional()
  @IsKatoLocality()
  locality?: string;
}
