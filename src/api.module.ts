import { TimetableModule } from './timetable/timetable.module.js';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { CalendarModule } from './calendar/calendar.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { NotificationModule } from './notification/notification.module.js';
import { OrganizationModule } from './organization/organization.module.js';
import { QueueModule } from './queue/queue.module.js';
import { ProactiveModule } from './proactive/proactive.module.js';
import { VacancyModule } from './vacancy/vacancy.module.js';
import { ReferralModule } from './referral/referral.module.js';
import { ArchiveModule } from './archive/archive.module.js';
import { AuditModule } from './audit/audit.module.js';
import { OpenDataModule } from './opendata/opendata.module.js';
import type { BootContext } from './platform/boot.js';
import { LabelsModule } from './labels/labels.module.js';
import { KezekGraphqlModule } from './platform/graphql/graphql.module.js';
import { HealthModule } from './platform/health/health.module.js';
import { loggingModule } from './platform/logging/logging.module.js';
import { PlatformModule } from './platform/platform.module.js';
import { RateLimitModule } from './platform/throttle/rate-limit.module.js';
import { SafeExceptionFilter } from './platform/errors/safe-exception.filter.js';
import { SettingsModule } from './settings/settings.module.js';
import { SystemModule } from './system/system.module.js';

/** Domain modules shared by the API and the worker (services, resolvers, task registrations). */
export const DOMAIN_MODULES = [
  SettingsModule,
  LedgerModule,
  CalendarModule,
  SystemModule,
  OrganizationModule,
  NotificationModule,
  QueueModule,
  VacancyModule,
  ReferralModule,
  ArchiveModule,
  ProactiveModule,
  OpenDataModule,
  AuditModule,
  TimetableModule,
];

@Module({})
export class ApiModule {
  static forRoot(ctx: BootContext): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(ctx),
        loggingModule(ctx.config),
        RateLimitModule, // before AuthModule: its guard runs first, so refused callers count too
        AuthModule,
        KezekGraphqlModule,
        HealthModule,
        ...DOMAIN_MODULES,
        LabelsModule,
      ],
      // Thrown errors are logged without SQL parameters or personal data (src/platform/errors).
      providers: [{ provide: APP_FILTER, useClass: SafeExceptionFilter }],
    };
  }
}
