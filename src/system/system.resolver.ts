import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Public, Roles } from '../auth/access.decorator.js';
import { ClockService } from '../platform/clock/clock.service.js';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';

@Resolver()
export class SystemResolver {
  constructor(
    private readonly clock: ClockService,
    private readonly scheduler: SchedulerService,
  ) {}

  @Public()
  @Query(() => Date, { description: 'The system time (simulated when SIMULATION=1)' })
  now(): Date {
    return this.clock.now();
  }

  @Roles('ADMIN')
  @Mutation(() => Date, {
    description:
      'SIMULATION=1 only: moves the clock forward and returns once every scheduled job due in the skipped interval has run, in time order',
  })
  async advanceClock(@Args('to', { type: () => Date }) to: Date): Promise<Date> {
    // Settle everything due up to the current time first (this also starts the scheduler's history
    // on a fresh database, so the jump below is counted from now rather than from `to`).
    await this.scheduler.catchUp(this.clock.now());
    await this.clock.setSimulated(to);
    await this.scheduler.catchUp(to);
    return this.clock.now();
  }
}
