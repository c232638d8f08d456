import { Field, ObjectType } from '@nestjs/graphql';
import { DateScalarType } from '../../platform/graphql/scalars.js';

@ObjectType({ description: 'A change of a setting announced for a later day' })
export class SettingChange {
  @Field({ description: 'JSON text' }) value: string;
  @Field(() => DateScalarType, { description: 'In force from 00:00 (Asia/Almaty) of this day' }) effectiveFrom: string;
}

@ObjectType({ description: "One of the Rules' timers or ratios, the version in force now" })
export class Setting {
  @Field() key: string;
  @Field({ description: 'JSON text' }) value: string;
  @Field(() => DateScalarType, { description: 'In force since 00:00 (Asia/Almaty) of this day (2000-01-01: since the start)' })
  effectiveFrom: string;
  @Field() description: string;
  @Field(() => [SettingChange], { description: 'Changes announced for later days, earliest first' }) upcoming: SettingChange[];
}
