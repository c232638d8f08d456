import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export enum CalendarDayKind {
  HOLIDAY = 'HOLIDAY',
  TRANSFERRED_DAY_OFF = 'TRANSFERRED_DAY_OFF',
  TRANSFERRED_WORKDAY = 'TRANSFERRED_WORKDAY',
}
registerEnumType(CalendarDayKind, { name: 'CalendarDayKind' });

@ObjectType({ description: 'A day that differs from the Mon–Fri working week' })
export class CalendarDay {
  @Field({ description: 'YYYY-MM-DD' }) date: string;
  @Field(() => CalendarDayKind) kind: CalendarDayKind;
  @Field() name: string;
}

@ObjectType()
export class WorkingDayAnswer {
  @Field() date: string;
  @Field() working: boolean;
  @Field({ description: 'The N-th working day after `date`' }) plusWorkingDays: string;
  @Field(() => Int) n: number;
}

@InputType()
export class SetCalendarDayInput {
  @Field({ description: 'YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date: string;

  @Field(() => CalendarDayKind, { nullable: true, description: 'null removes the entry (plain day again)' })
  @IsOptional()
  @IsIn(Object.values(CalendarDayKind))
  kind?: CalendarDayKind | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

@ObjectType({ description: 'Whether a year’s working calendar is confirmed (transfer orders entered, Kurban Ait known)' })
export class CalendarYear {
  @Field(() => Int) year: number;
  @Field(() => String, { nullable: true, description: 'First day of Kurban Ait (YYYY-MM-DD) as confirmed; null while unconfirmed' })
  kurbanAit: string | null;
  @Field() confirmed: boolean;
  @Field(() => Date, { nullable: true }) confirmedAt: Date | null;
}
