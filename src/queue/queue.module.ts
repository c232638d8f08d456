import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { ApplicationStore } from './application.store.js';
import { PriorityClaimsService } from './priority-claims.service.js';
import { QueueRankingService } from './queue-ranking.service.js';
import { QueueResolver } from './queue.resolver.js';
import { QueueService } from './queue.service.js';

/**
 * The queue (SPEC.md "Application", "Ranking"): registration, reading and positions.
 * - domain/: ranking (pure, time passed in; ranking.ts is the reference the SQL counts are property-checked
 *   against) and the application life cycle (application-state.ts).
 * - application.store.ts: the only writer of `application` and `category_claim`; named transitions that run
 *   in the caller's transaction, check the state machine and append the ledger event.
 * - queue.service.ts owns transactions; queue-ranking.service.ts answers positions from the maintained counts
 *   in one statement; queue.resolver.ts stays thin (one error mapping: src/platform/errors).
 */
@Module({
  imports: [NotificationModule],
  providers: [ApplicationStore, QueueService, PriorityClaimsService, QueueRankingService, QueueResolver],
  exports: [ApplicationStore, QueueService, PriorityClaimsService, QueueRankingService],
})
export class QueueModule {}
