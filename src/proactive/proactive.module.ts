import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ProactiveResolver } from './proactive.resolver.js';
import { ProactiveService } from './proactive.service.js';
import { SmsInboundController } from './sms-inbound.controller.js';

/** Proactive registration at birth: offers, answers (GraphQL and the SMS webhook), lapse. */
@Module({
  imports: [NotificationModule, QueueModule],
  providers: [ProactiveService, ProactiveResolver],
  controllers: [SmsInboundController],
  exports: [ProactiveService],
})
export class ProactiveModule {}
