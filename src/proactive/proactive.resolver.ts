import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { applicantIin, isAdmin, type Principal } from '../auth/principal.js';
import { Application } from '../queue/dto/application.model.js';
import { QueueService } from '../queue/queue.service.js';
import { BirthInput, ProactiveOffer } from './dto/proactive.model.js';
import { ProactiveService } from './proactive.service.js';

@Resolver(() => ProactiveOffer)
export class ProactiveResolver {
  constructor(
    private readonly proactive: ProactiveService,
    private readonly queue: QueueService,
    private readonly ds: DataSource,
  ) {}

  @Roles('ADMIN')
  @Mutation(() => ProactiveOffer, {
    description: 'ADMIN (civil-registry event): offers the parent to put the newborn in the queue, by SMS with a one-time code',
  })
  registerBirth(@Args('input') input: BirthInput, @CurrentPrincipal() by: Principal): Promise<ProactiveOffer> {
    return this.proactive.registerBirth(input, by);
  }

  @Public()
  @Mutation(() => ProactiveOffer, {
    description:
      'Anyone holding the code: consent registers the application (time of the answer); unknown code NOT_FOUND, answered or lapsed CONFLICT',
  })
  answerProactiveOffer(@Args('token') token: string, @Args('consent') consent: boolean): Promise<ProactiveOffer> {
    return this.proactive.answerByToken(token, consent);
  }

  @Roles('ADMIN')
  @Query(() => ProactiveOffer, { nullable: true, description: 'ADMIN: a proactive offer' })
  proactiveOffer(@Args('id', { type: () => ID }) id: string): Promise<ProactiveOffer | null> {
    return this.proactive.get(id);
  }

  @ResolveField(() => Application, {
    nullable: true,
    description: 'The registered application: for ADMIN or its applicant only',
  })
  async application(@Parent() offer: ProactiveOffer, @CurrentPrincipal() by: Principal): Promise<Application | null> {
    if (!offer.applicationId) return null;
    const app = await this.queue.load(this.ds, offer.applicationId);
    return isAdmin(by) || applicantIin(by) === app.applicantIin ? app : null;
  }
}
