import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ArchiveReason } from '../platform/graphql/enums.js';
import { loader, type RequestContext } from '../platform/graphql/request-cache.js';
import { DateScalarType } from '../platform/graphql/scalars.js';
import { Application } from '../queue/dto/application.model.js';
import { QueueService } from '../queue/queue.service.js';
import { ArchiveService } from './archive.service.js';
import { ArchiveArgs, ArchivedApplicationConnection, StopListArgs, StopListConnection, StopListEntry } from './dto/archive.model.js';

@Resolver(() => StopListEntry)
export class ArchiveResolver {
  constructor(
    private readonly archive: ArchiveService,
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
    return this.archive.addToStopList(applicationId, reason, until ?? null, by);
  }

  @Roles('ADMIN')
  @Mutation(() => Application, { description: 'ADMIN: end a stop-list term now; the application keeps its registration time' })
  removeFromStopList(@Args('applicationId', { type: () => ID }) applicationId: string, @CurrentPrincipal() by: Principal): Promise<Application> {
    return this.archive.removeFromStopList(applicationId, by);
  }

  @Roles('ADMIN')
  @Mutation(() => Application, { description: 'ADMIN: archive as DUPLICATE or OTHER' })
  archiveApplication(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => ArchiveReason }) reason: ArchiveReason,
    @CurrentPrincipal() by: Principal,
  ): Promise<Application> {
    return this.archive.archive(id, reason, by);
  }

  @Roles('ADMIN')
  @Mutation(() => Application, { description: 'ADMIN: restore an application archived in error, with its original registration time' })
  restoreApplication(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() by: Principal): Promise<Application> {
    return this.archive.restore(id, by);
  }

  @Roles('ADMIN')
  @Query(() => StopListConnection, { description: 'ADMIN: stop-list terms (running and ended)' })
  stopList(@Args() args: StopListArgs): ReturnType<ArchiveService['stopList']> {
    return this.archive.stopList(args);
  }

  @Roles('ADMIN')
  @Query(() => ArchivedApplicationConnection, { description: 'ADMIN: the archive, by reason and locality' })
  archivedApplications(@Args() args: ArchiveArgs): ReturnType<ArchiveService['archived']> {
    return this.archive.archived(args);
  }

  @Roles('ADMIN')
  @Query(() => [Application], { description: 'ADMIN: every application of a child (duplicate check across localities)' })
  applicationsOfChild(@Args('childIin') childIin: string): Promise<Application[]> {
    return this.archive.byChild(childIin);
  }

  @ResolveField(() => Application)
  application(@Parent() e: StopListEntry, @Context() ctx: RequestContext): Promise<Application | null> {
    return loader(ctx, 'application', (ids) => this.queue.loadMany(ids)).load(e.applicationId);
  }
}
