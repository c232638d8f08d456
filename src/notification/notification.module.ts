import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { JobName, QueueName } from '../platform/jobs/job-names.js';
import { JobRegistry } from '../platform/jobs/job-registry.js';
import { LogSmsGateway } from './adapters/log-sms.gateway.js';
import { NotificationService } from './notification.service.js';
import { SmsGateway } from './ports/sms-gateway.js';

function gatewayFor(config: EnvConfig): SmsGateway {
  switch (config.SMS_PROVIDER) {
    case 'log':
    case 'mobizon':
    case 'http':
      return new LogSmsGateway();
  }
}

@Module({
  providers: [
    NotificationService,
    { provide: SmsGateway, inject: [ENV_CONFIG], useFactory: gatewayFor },
  ],
  exports: [NotificationService],
})
export class NotificationModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly notifications: NotificationService,
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
  ) {}

  onModuleInit(): void {
    this.registry.handle(QueueName.Notification, JobName.DeliverNotifications, () => this.notifications.deliverDue());
  }
}
