import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { Notification } from './dto/notification.model.js';
import { NotificationService } from './notification.service.js';

@Resolver(() => Notification)
export class NotificationResolver {
  constructor(private readonly service: NotificationService) {}

  @Roles('ADMIN', 'APPLICANT')
  @Query(() => [Notification], {
    description: 'ADMIN, or the APPLICANT who owns the application: its texts, oldest first',
  })
  notifications(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Notification[]> {
    return this.service.forApplication(applicationId, by);
  }
}
