import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ArchiveReason } from './dto/archive.enums.js';
import { Application } from '../queue/dto/application.model.js';
import { ArchiveService } from './archive.service.js';
import { ArchiveArgs, ArchivedApplicationConnection } from './dto/archive.model.js';

@Resolver(() => Application)
export class ArchiveResolver {
  constructor(private readonly archive: ArchiveService) {}

  @Roles('ADMIN', 'APPLICANT')
  @Mutation(() => Application, { description: 'Owner or ADMIN: archive as WITHDRAWN' })
  withdrawApplication(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() by: Principal): Promise<Application> {
    return this.archive.withdraw(id, by);
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
  @Query(() => ArchivedApplicationConnection, { description: 'ADMIN: the archive, by reason and locality' })
  archivedApplications(@Args() args: ArchiveArgs): ReturnType<ArchiveService['archived']> {
    return this.archive.archived(args);
  }

  @Roles('ADMIN')
  @Query(() => [Application], { description: 'ADMIN: every application of a child (duplicate check across localities)' })
  applicationsOfChild(@Args('childIin') childIin: string): Promise<Application[]> {
    return this.archive.byChild(childIin);
  }
}
