import { Global, Module } from '@nestjs/common';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';
import { SystemResolver } from './system.resolver.js';

@Global()
@Module({ providers: [SchedulerService, SystemResolver], exports: [SchedulerService] })
export class SystemModule {}
