import { Inject } from '@nestjs/common';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { DocumentKind, RefusalReason } from '../referral/dto/referral.enums.js';
import { loader, type RequestContext } from '../platform/graphql/request-cache.js';
import { DateScalarType } from '../platform/graphql/scalars.js';
import { Application } from '../queue/dto/application.model.js';
import { QueueService } from '../queue/queue.service.js';
import { Vacancy } from '../vacancy/dto/vacancy.model.js';
import { toVacancy } from '../vacancy/vacancy.row.js';
import { VacancyService } from '../vacancy/vacancy.service.js';
import { Clock } from '../platform/clock/clock.js';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { AllocationRun, Referral } from './dto/referral.model.js';
import { AllocationService } from './allocation.service.js';
import { ReferralLifecycleService } from './referral-lifecycle.service.js';
import { ReferralService } from './referral.service.js';

@Resolver(() => Referral)
export class ReferralResolver {
  constructor(
    private readonly referrals: ReferralService,
    private readonly lifecycle: ReferralLifecycleService,
    private readonly allocation: AllocationService,
    private readonly queue: QueueService,
    private readonly vacancies: VacancyService,
    private readonly clock: Clock,
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
  ) {}

  @Roles('ADMIN', 'APPLICANT', 'ORG_STAFF')
  @Query(() => Referral, { nullable: true, description: 'ADMIN, the applicant, or staff of the organization' })
  referral(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() by: Principal): Promise<Referral> {
    return this.referrals.get(id, by);
  }

  @Roles('ADMIN')
  @Mutation(() => AllocationRun, { description: 'ADMIN: allocate every fresh or returned place now (also scheduled after each bulletin)' })
  runAllocation(): Promise<AllocationRun> {
    // An API-only process leaves the localities to the worker processes (it still finishes them
    // itself if no worker does within the timeout).
    return this.allocation.runAllocation('manual', undefined, { selfDrain: this.config.ROLE !== 'api' });
  }

  @Roles('APPLICANT', 'ADMIN')
  @Mutation(() => Referral, { description: 'Owner: take an open place (past its priority window), first come first served' })
  claimVacancy(
    @Args('vacancyId', { type: () => ID }) vacancyId: string,
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Referral> {
    return this.lifecycle.claim(vacancyId, applicationId, by);
  }

  @Roles('APPLICANT', 'ADMIN')
  @Mutation(() => Referral, { description: 'Owner: accept an OFFERED referral' })
  confirmReferral(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() by: Principal): Promise<Referral> {
    return this.lifecycle.confirm(id, by);
  }

  @Roles('APPLICANT', 'ADMIN')
  @Mutation(() => Referral, { description: 'Owner: decline; the application keeps its original time' })
  declineReferral(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() by: Principal): Promise<Referral> {
    return this.lifecycle.decline(id, by);
  }

  @Roles('ORG_STAFF', 'ADMIN')
  @Mutation(() => Referral, { description: 'Staff of the organization: extend once, up to 30 calendar days from the start of validity' })
  extendReferral(
    @Args('id', { type: () => ID }) id: string,
    @Args('until', { type: () => DateScalarType }) until: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Referral> {
    return this.lifecycle.extend(id, until, by);
  }

  @Roles('ORG_STAFF', 'ADMIN')
  @Mutation(() => Referral, { description: 'Staff: record documents received (CONFIRMED referrals)' })
  recordDocuments(
    @Args('referralId', { type: () => ID }) referralId: string,
    @Args('kinds', { type: () => [DocumentKind] }) kinds: DocumentKind[],
    @CurrentPrincipal() by: Principal,
  ): Promise<Referral> {
    return this.lifecycle.recordDocuments(referralId, kinds, by);
  }

  @Roles('ORG_STAFF', 'ADMIN')
  @Mutation(() => Referral, {
    description:
      'Staff: refuse admission on a CONFIRMED referral; INCOMPLETE_DOCUMENTS only after the documents deadline with documents missing ' +
      '(an expiry: stop-list), EXPIRED_DOCUMENTS and VACCINATION_LIMIT with a note (the place returns to allocation, the child to the queue)',
  })
  refuseAdmission(
    @Args('referralId', { type: () => ID }) referralId: string,
    @Args('reason', { type: () => RefusalReason }) reason: RefusalReason,
    @CurrentPrincipal() by: Principal,
    @Args('note', { type: () => String, nullable: true, description: 'Required for EXPIRED_DOCUMENTS and VACCINATION_LIMIT' })
    note?: string | null,
  ): Promise<Referral> {
    return this.lifecycle.refuse(referralId, reason, note, by);
  }

  @Roles('ORG_STAFF', 'ADMIN')
  @Mutation(() => Referral, {
    description:
      'ADMIN or staff of the organization: cancel a live referral; reason GROUP_CLOSED | ORGANIZATION_ERROR | DUPLICATE | OTHER (OTHER needs a note). ' +
      'The place returns to allocation, the family to the queue with its time.',
  })
  cancelReferral(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason') reason: string,
    @CurrentPrincipal() by: Principal,
    @Args('note', { type: () => String, nullable: true }) note?: string | null,
  ): Promise<Referral> {
    return this.lifecycle.cancel(id, reason, note, by);
  }

  @Roles('ORG_STAFF', 'ADMIN')
  @Mutation(() => Referral, { description: 'Staff: enroll (all documents in); archives the application as ENROLLED' })
  enrollByReferral(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() by: Principal): Promise<Referral> {
    return this.lifecycle.enroll(id, by);
  }

  @Roles('ORG_STAFF', 'ADMIN')
  @Mutation(() => Vacancy, { description: 'Early booking: the place actually frees on `on`; referral clocks start then' })
  async markPlaceVacated(
    @Args('vacancyId', { type: () => ID }) vacancyId: string,
    @Args('on', { type: () => DateScalarType }) on: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Vacancy> {
    return toVacancy(await this.lifecycle.markVacated(vacancyId, on, by), this.clock.now());
  }

  @ResolveField(() => Application)
  async application(@Parent() r: Referral, @Context() ctx: RequestContext): Promise<Application | null> {
    return loader(ctx, 'application', (ids) => this.queue.loadMany(ids)).load(r.applicationId);
  }

  @ResolveField(() => Vacancy)
  async vacancy(@Parent() r: Referral, @Context() ctx: RequestContext): Promise<Vacancy | null> {
    return loader(ctx, 'vacancy', (ids) => this.vacancies.getMany(ids)).load(r.vacancyId);
  }
}

@Resolver(() => Application)
export class ApplicationReferralResolver {
  constructor(private readonly referrals: ReferralService) {}

  @ResolveField(() => Referral, { nullable: true, description: 'The live referral, if any' })
  referral(@Parent() a: Application, @Context() ctx: RequestContext): Promise<Referral | null> {
    return loader(ctx, 'liveReferralByApplication', (ids) => this.referrals.liveBy('application_id', ids)).load(a.id);
  }
}

@Resolver(() => Vacancy)
export class VacancyReferralResolver {
  constructor(private readonly referrals: ReferralService) {}

  @ResolveField(() => Referral, { nullable: true, description: 'The live referral (ADMIN and staff of the organization only)' })
  async referral(@Parent() v: Vacancy, @Context() ctx: RequestContext, @CurrentPrincipal() by: Principal): Promise<Referral | null> {
    if (!this.referrals.canSeeVacancyReferral(by, v.organizationId)) return null;
    return loader(ctx, 'liveReferralByVacancy', (ids) => this.referrals.liveBy('vacancy_id', ids)).load(v.id);
  }
}
