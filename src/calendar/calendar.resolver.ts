import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { badInput } from '../platform/errors/app-error.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { CalendarService } from './calendar.service.js';
import { CalendarDay, CalendarYear, SetCalendarDayInput, WorkingDayAnswer } from './dto/calendar.model.js';

@Resolver(() => CalendarDay)
export class CalendarResolver {
  constructor(private readonly calendar: CalendarService) {}

  @Public()
  @Query(() => [CalendarDay], {
    description: 'Holidays and moved days of a year: the Labour Code holidays and their weekend transfers, with the stored days on top',
  })
  async calendarDays(@Args('year', { type: () => Int }) year: number): Promise<CalendarDay[]> {
    if (year < 2000 || year > 2100) throw badInput('year', 'must be between 2000 and 2100');
    return (await this.calendar.days(year)) as CalendarDay[];
  }

  @Public()
  @Query(() => WorkingDayAnswer, { description: 'Is `date` a working day, and which is the N-th working day after it' })
  async workingDay(@Args('date') date: string, @Args('n', { type: () => Int, defaultValue: 1 }) n: number): Promise<WorkingDayAnswer> {
    if (!isRealDate(date)) throw badInput('date', 'must be a real date YYYY-MM-DD');
    if (n < 0 || n > 366) throw badInput('n', 'must be between 0 and 366');
    const cal = await this.calendar.calendar();
    return { date, working: cal.isWorkingDay(date), plusWorkingDays: n === 0 ? date : cal.addWorkingDays(date, n), n };
  }

  @Roles('ADMIN')
  @Mutation(() => [CalendarDay], { description: 'Set or clear a holiday / moved day; returns that year' })
  async setCalendarDay(@Args('input') input: SetCalendarDayInput, @CurrentPrincipal() by: Principal): Promise<CalendarDay[]> {
    if (!isRealDate(input.date)) throw badInput('date', 'must be a real date YYYY-MM-DD');
    await this.calendar.setDay(input.date, input.kind ?? null, input.name ?? null, by);
    return (await this.calendar.days(Number(input.date.slice(0, 4)))) as CalendarDay[];
  }

  @Public()
  @Query(() => CalendarYear, { description: 'Whether the working calendar of `year` is confirmed by an ADMIN' })
  async calendarYear(@Args('year', { type: () => Int }) year: number): Promise<CalendarYear> {
    if (year < 2000 || year > 2100) throw badInput('year', 'must be between 2000 and 2100');
    return this.calendar.year(year);
  }

  @Roles('ADMIN')
  @Mutation(() => CalendarYear, {
    description:
      'Confirm the working calendar of `year`: its transfer orders are entered (setCalendarDay) and `kurbanAit` is its first day of Kurban Ait (set as a holiday)',
  })
  async confirmCalendarYear(
    @Args('year', { type: () => Int }) year: number,
    @Args('kurbanAit', { description: 'YYYY-MM-DD' }) kurbanAit: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<CalendarYear> {
    return this.calendar.confirmYear(year, kurbanAit, by);
  }
}
