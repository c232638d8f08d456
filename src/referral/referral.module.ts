import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { VacancyModule } from '../vacancy/vacancy.module.js';
import { AllocationService } from './allocation.service.js';
import { DeadlineRemindersService } from './deadline-reminders.service.js';
import { OpenPlaceRenotices } from './open-place-renotice.service.js';
import { ReferralExpiryService } from './referral-expiry.service.js';
import { ReferralLifecycleService } from './referral-lifecycle.service.js';
import { ApplicationReferralResolver, ReferralResolver, VacancyReferralResolver } from './referral.resolver.js';
import { ReferralService } from './referral.service.js';
import { ReferralStore } from './referral.store.js';
import { StopListResolver } from './stop-list.resolver.js';
import { StopListService } from './stop-list.service.js';

/**
 * Referrals: ReferralStore (the only writer of `referral`), ReferralService (reads and access),
 * ReferralLifecycleService (every change of a referral), ReferralExpiryService (the clocks that run out:
 * expiry, early-booking lapse, end of a temporary stay), AllocationService (runs, open-place notices),
 * StopListService (stop-list terms), DeadlineRemindersService (the day-before texts).
 */
@Module({
  imports: [NotificationModule, QueueModule, VacancyModule],
  providers: [
    ReferralStore,
    ReferralService,
    ReferralLifecycleService,
    ReferralExpiryService,
    AllocationService,
    OpenPlaceRenotices,
    StopListService,
    DeadlineRemindersService,
    ReferralResolver,
    ApplicationReferralResolver,
    VacancyReferralResolver,
    StopListResolver,
  ],
  exports: [ReferralService, ReferralLifecycleService, ReferralExpiryService, AllocationService, StopListService, DeadlineRemindersService],
})
export class ReferralModule {}
