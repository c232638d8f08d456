import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { QueueRankingService } from './queue-ranking.service.js';
import { QueueResolver } from './queue.resolver.js';
import { QueueService } from './queue.service.js';

@Module({
  imports: [NotificationModule],
  providers: [QueueService, QueueRankingService, QueueResolver],
  exports: [QueueService, QueueRankingService],
})
export class QueueModule {}
