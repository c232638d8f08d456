import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { VacancyModule } from '../vacancy/vacancy.module.js';
import { ApplicationReferralResolver, ReferralResolver, VacancyReferralResolver } from './referral.resolver.js';
import { ReferralService } from './referral.service.js';

@Module({
  imports: [NotificationModule, QueueModule, VacancyModule],
  providers: [ReferralService, ReferralResolver, ApplicationReferralResolver, VacancyReferralResolver],
  exports: [ReferralService],
})
export class ReferralModule {}
