import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { Organization } from '../organization/dto/organization.model.js';
import { OrganizationService } from '../organization/organization.service.js';
import { BulletinKind } from './dto/vacancy.enums.js';
import { loader, type RequestContext } from '../platform/graphql/request-cache.js';
import { DateScalarType } from '../platform/graphql/scalars.js';
import { BulletinEntry, PublishVacancyInput, VacanciesArgs, Vacancy, VacancyConnection } from './dto/vacancy.model.js';
import { BULLETIN_MAX_PAGE, VacancyService } from './vacancy.service.js';

@Resolver(() => Vacancy)
export class VacancyResolver {
  constructor(
    private readonly service: VacancyService,
    private readonly organizations: OrganizationService,
  ) {}

  @Public()
  @Query(() => Vacancy, { nullable: true, description: 'A place (no personal data; its referral only for ADMIN and its staff)' })
  vacancy(@Args('id', { type: () => ID }) id: string): Promise<Vacancy> {
    return this.service.get(id);
  }

  @Public()
  @Query(() => VacancyConnection, {
    description: 'ADMIN: all places; ORG_STAFF: own organization; everyone else: places open for claims',
  })
  vacancies(@Args() args: VacanciesArgs, @CurrentPrincipal() by: Principal): ReturnType<VacancyService['list']> {
    return this.service.list(args, by);
  }

  @Public()
  @Query(() => [BulletinEntry], {
    description: `Frozen bulletin of a publication day: hand-overs in (date−1 09:00, date 09:00] Asia/Almaty, in order; at most \`first\` (≤ ${BULLETIN_MAX_PAGE}) entries after position \`afterPosition\``,
    // Entries come from one query and their places through one batched load: a tenth of a row each.
    complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
      50 + Math.ceil(Math.max(1, args.first ?? BULLETIN_MAX_PAGE) / 10) * childComplexity,
  })
  bulletin(
    @Args('date', { type: () => DateScalarType }) date: string,
    @Args('kind', { type: () => BulletinKind }) kind: BulletinKind,
    @Args('locality', { nullable: true, type: () => String }) locality?: string | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: BULLETIN_MAX_PAGE }) first?: number | null,
    @Args('afterPosition', { type: () => Int, nullable: true }) afterPosition?: number | null,
  ): Promise<BulletinEntry[]> {
    return this.service.bulletin(date, kind, locality ?? null, { first: first ?? BULLETIN_MAX_PAGE, afterPosition: afterPosition ?? null });
  }

  @Roles('ADMIN', 'ORG_STAFF')
  @Mutation(() => [Vacancy], { description: 'ORG_STAFF of that organization, or ADMIN; count places per entry' })
  publishVacancies(
    @Args('input', { type: () => [PublishVacancyInput] }) input: PublishVacancyInput[],
    @CurrentPrincipal() by: Principal,
  ): Promise<Vacancy[]> {
    return this.service.publish(input, by);
  }

  @Roles('ADMIN', 'ORG_STAFF')
  @Mutation(() => Vacancy, { description: 'Take back a published place that has no live referral' })
  revokeVacancy(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason') reason: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Vacancy> {
    return this.service.revoke(id, reason, by);
  }

  @ResolveField(() => Organization)
  async organization(@Parent() v: Vacancy, @Context() ctx: RequestContext): Promise<Organization | null> {
    return loader(ctx, 'organization', (ids) => this.organizations.getMany(ids)).load(v.organizationId);
  }
}

@Resolver(() => BulletinEntry)
export class BulletinEntryResolver {
  constructor(private readonly vacancies: VacancyService) {}

  @ResolveField(() => Vacancy)
  async vacancy(@Parent() e: BulletinEntry, @Context() ctx: RequestContext): Promise<Vacancy | null> {
    return loader(ctx, 'bulletin-vacancy', (ids) => this.vacancies.getMany(ids, 'replica')).load(e.vacancyId);
  }
}
