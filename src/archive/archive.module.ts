import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ReferralModule } from '../referral/referral.module.js';
import { ArchiveResolver } from './archive.resolver.js';
import { ArchiveService } from './archive.service.js';

/**
 * The archive (SPEC.md "Archive"): withdrawal, operators' archiving and restoring, the age-out. Composes the
 * stores of the queue and referral modules in one transaction per change; writes no table of its own.
 */
@Module({
  imports: [NotificationModule, QueueModule, ReferralModule],
  providers: [ArchiveService, ArchiveResolver],
  exports: [ArchiveService],
})
export class ArchiveModule {}
