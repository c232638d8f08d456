import { Args, Context, ID, Info, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ApplicationStatus } from '../queue/dto/application.enums.js';
import { memo, type RequestContext } from '../platform/graphql/request-cache.js';
import { selects } from '../platform/graphql/selection.js';
import { ApplicationsArgs, RegisterApplicationInput, UpdateApplicationInput } from './dto/application.input.js';
import { Application, ApplicationConnection, PriorityCategory, QueuePosition } from './dto/application.model.js';
import { PriorityClaimsService } from './priority-claims.service.js';
import { QueueRankingService } from './queue-ranking.service.js';
import { QueueService } from './queue.service.js';

@Resolver(() => Application)
export class QueueResolver {
  constructor(
    private readonly queue: QueueService,
    private readonly claims: PriorityClaimsService,
    private readonly ranking: QueueRankingService,
  ) {}

  @Public()
  @Query(() => [PriorityCategory], { description: 'Priority categories with class, legal basis and names' })
  priorityCategories(): Promise<PriorityCategory[]> {
    return this.queue.categories();
  }

  @Roles('ADMIN', 'APPLICANT')
  @Query(() => Application, { nullable: true, description: 'ADMIN, or the APPLICANT who owns it' })
  application(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() by: Principal): Promise<Application> {
    return this.queue.get(id, by);
  }

  @Roles('APPLICANT')
  @Query(() => [Application])
  myApplications(@CurrentPrincipal() by: Principal): Promise<Application[]> {
    return this.queue.mine(by);
  }

  @Roles('ADMIN')
  @Query(() => ApplicationConnection, { description: 'ADMIN: applications filtered by locality, cohort, status, class' })
  applications(@Args() args: ApplicationsArgs): ReturnType<QueueService['list']> {
    return this.queue.list(args);
  }

  @Public()
  @Query(() => QueuePosition, {
    description: 'Anyone: queue position by application id or number; no personal data',
    complexity: 500, // a transaction and several whole-cohort queries
  })
  queuePosition(
    @Info() info: GraphQLResolveInfo,
    @Args('applicationId', { type: () => ID, nullable: true }) applicationId?: string,
    @Args('number', { nullable: true }) number?: string,
    @CurrentPrincipal() by?: Principal,
  ): Promise<QueuePosition> {
    // The organizations ahead cost more than the number (every organization of a locality for a family that
    // chose "any"): counted, in the same statement, only when the query asks for them.
    return this.queue.position(applicationId, number, by, selects(info, 'positionsByOrganization'));
  }

  @Roles('ADMIN', 'APPLICANT')
  @Mutation(() => Application, { description: 'APPLICANT (own IIN) or ADMIN' })
  registerApplication(@Args('input') input: RegisterApplicationInput, @CurrentPrincipal() by: Principal): Promise<Application> {
    return this.queue.register(input, by);
  }

  @Roles('ADMIN', 'APPLICANT')
  @Mutation(() => Application, { description: 'owner or ADMIN: correct a live application; number and registration time kept' })
  updateApplication(
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateApplicationInput,
    @CurrentPrincipal() by: Principal,
  ): Promise<Application> {
    return this.queue.update(id, input, by);
  }

  @Roles('ADMIN', 'APPLICANT')
  @Mutation(() => Application, { description: 'owner or ADMIN: claim a priority category; proof due in proofWorkingDays working days' })
  addPriorityClaim(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @Args('category') category: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Application> {
    return this.claims.addPriorityClaim(applicationId, category, by);
  }

  @Roles('ADMIN')
  @Mutation(() => Application, {
    description: 'ADMIN: confirm a PENDING claim, or reject a claim (a lapsed or rejected one needs a new claim)',
  })
  confirmPriority(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @Args('category') category: string,
    @Args('confirmed') confirmed: boolean,
    @CurrentPrincipal() by: Principal,
  ): Promise<Application> {
    return this.claims.confirmPriority(applicationId, category, confirmed, by);
  }

  @ResolveField(() => Int, { nullable: true, description: 'Place in its queue; null unless QUEUED' })
  async queueNumber(@Parent() app: Application, @Context() ctx: RequestContext): Promise<number | null> {
    if (app.status !== ApplicationStatus.QUEUED) return null;
    // From the maintained counts (one indexed statement); never loads or ranks the whole queue.
    const standing = await memo(ctx, `standing:${app.id}`, () => this.ranking.standing(app.id));
    return standing?.queueNumber ?? null;
  }
}
