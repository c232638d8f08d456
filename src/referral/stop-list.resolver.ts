import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { loader, type RequestContext } from '../platform/graphql/request-cache.js';
import { DateScalarType } from '../platform/graphql/scalars.js';
import { Application } from '../queue/dto/application.model.js';
import { QueueService } from '../queue/queue.service.js';
import { StopListArgs, StopListConnection, StopListEntry } from './dto/stop-list.model.js';
import { StopListService } from './stop-list.service.js';

@Resolver(() => StopListEntry)
export class StopListResolver {
  constructor(
    private readonly terms: StopListService,
    private readonly queue: QueueService,
  ) {}

  @Roles('ADMIN')
  @Mutation(() => Application, { description: 'ADMIN: put a QUEUED application on the stop-list (until a date, or until removed)' })
  addToStopList(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @Args('reason') reason: string,
    @Args('until', { type: () => DateScalarType, nullable: true }) until: string | null,
    @CurrentPrincipal() by: Principal,
  ): Promise<Application> {
    return this.terms.add(applicationId, reason, until ?? null, by);
  }

  @Roles('ADMIN')
  @Mutation(() => Application, { description: 'ADMIN: end a stop-list term now; the application keeps its registration time' })
  removeFromStopList(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Application> {
    return this.terms.remove(applicationId, by);
  }

  @Roles('ADMIN')
  @Query(() => StopListConnection, { description: 'ADMIN: stop-list terms (running and ended)' })
  stopList(@Args() args: StopListArgs): ReturnType<StopListService['list']> {
    return this.terms.list(args);
  }

  @ResolveField(() => Application)
  application(@Parent() e: StopListEntry, @Context() ctx: RequestContext): Promise<Application | null> {
    return loader(ctx, 'application', (ids) => this.queue.loadMany(ids)).load(e.applicationId);
  }
}
