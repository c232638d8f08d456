import { Module, type OnModuleInit } from '@nestjs/common';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { JobName, QueueName } from '../platform/jobs/job-names.js';
import { JobRegistry } from '../platform/jobs/job-registry.js';
import { HttpSmsGateway } from './adapters/http-sms.gateway.js';
import { LogSmsGateway } from './adapters/log-sms.gateway.js';
import { MobizonSmsGateway } from './adapters/mobizon-sms.gateway.js';
import { NotificationResolver } from './notification.resolver.js';
import { NotificationService } from './notification.service.js';
import { SmsGateway } from './ports/sms-gateway.js';

/** The adapter chosen by SMS_PROVIDER (its settings are checked by loadConfig). */
export function gatewayFor(config: EnvConfig): SmsGateway {
  switch (config.SMS_PROVIDER) {
    case 'log':
      return new LogSmsGateway();
    case 'mobizon':
      return new MobizonSmsGateway({
        apiKey: config.SMS_MOBIZON_API_KEY ?? '',
        baseUrl: config.SMS_MOBIZON_URL,
        sender: config.SMS_SENDER,
        timeoutMs: config.SMS_HTTP_TIMEOUT_MS,
      });
    case 'http':
      return new HttpSmsGateway({
        url: config.SMS_HTTP_URL ?? '',
        token: config.SMS_HTTP_TOKEN,
        timeoutMs: config.SMS_HTTP_TIMEOUT_MS,
      });
  }
}

@Module({
  providers: [NotificationService, NotificationResolver, { provide: SmsGateway, inject: [ENV_CONFIG], useFactory: gatewayFor }],
  exports: [NotificationService],
})
export class NotificationModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly notifications: NotificationService,
  ) {}

  onModuleInit(): void {
    this.registry.handle(QueueName.Notification, JobName.DeliverNotifications, () => this.notifications.deliverBacklog());
    this.registry.handle(QueueName.Notification, JobName.PollDeliveryReports, () => this.notifications.pollDeliveryReports());
  }
}
