import { ArgsType, Field, ID, ObjectType } from '@nestjs/graphql';
import { IsBoolean, IsOptional } from 'class-validator';
import { Connection, PageArgs } from '../../platform/graphql/connection.js';
import { DateScalarType } from '../../platform/graphql/scalars.js';
import { Application } from '../../queue/dto/application.model.js';

@ObjectType({ description: 'A stop-list term: no referral can be issued while it runs' })
export class StopListEntry {
  @Field(() => ID) id: string;
  applicationId: string;
  @Field(() => Application) application?: Application;
  @Field() reason: string;
  @Field(() => DateScalarType) startsOn: string;
  @Field(() => DateScalarType, { nullable: true, description: 'Last day on the list; null = until removed' }) until: string | null;
  @Field() createdAt: Date;
  @Field() createdBy: string;
  @Field(() => Date, { nullable: true }) endedAt: Date | null;
  @Field(() => String, { nullable: true }) endedBy: string | null;
}
export const StopListConnection = Connection(StopListEntry, 'StopListEntry');

@ArgsType()
export class StopListArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'true: running terms only; false: ended only' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
