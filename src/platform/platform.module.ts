import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BootContext } from './boot.js';
import { Clock } from './clock/clock.js';
import { ClockService } from './clock/clock.service.js';
import { ENV_CONFIG } from './config/config.js';
import { DATABASE_URL, JWT_SECRET } from './database/database.tokens.js';
import { ReadDataSource } from './database/read-data-source.js';
import { HealthRegistry } from './health/health-registry.js';
import { JobRegistry } from './jobs/job-registry.js';
import { JobsService } from './jobs/jobs.service.js';
import { Metrics } from './metrics/metrics.js';

/** Framework glue shared by every module: config, database (primary and read), clock, jobs, metrics. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(ctx: BootContext): DynamicModule {
    const metrics = new Metrics();
    ctx.readDataSource.countFallbacksIn(metrics.readReplicaFallbacks);
    return {
      module: PlatformModule,
      providers: [
        { provide: ENV_CONFIG, useValue: ctx.config },
        { provide: DATABASE_URL, useValue: ctx.databaseUrl },
        { provide: JWT_SECRET, useValue: ctx.jwtSecret },
        { provide: DataSource, useValue: ctx.dataSource },
        { provide: ReadDataSource, useValue: ctx.readDataSource },
        ClockService,
        { provide: Clock, useExisting: ClockService },
        { provide: Metrics, useValue: metrics },
        JobsService,
        JobRegistry,
        HealthRegistry,
      ],
      exports: [
        ENV_CONFIG,
        DATABASE_URL,
        JWT_SECRET,
        DataSource,
        ReadDataSource,
        ClockService,
        Clock,
        Metrics,
        JobsService,
        JobRegistry,
        HealthRegistry,
      ],
    };
  }
}
