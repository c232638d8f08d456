import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';
import { DataSource } from 'typeorm';
import { ReadDataSource } from '../database/read-data-source.js';
import { JobsService } from '../jobs/jobs.service.js';
import { Metrics } from '../metrics/metrics.js';
import { HealthRegistry } from './health-registry.js';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timeout after ${ms} ms`)), ms).unref())]);

/** Probes and scrapes are never rate limited. */
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly ds: DataSource,
    private readonly reads: ReadDataSource,
    private readonly jobs: JobsService,
    private readonly metrics: Metrics,
    private readonly registry: HealthRegistry,
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
  ) {}

  /**
   * 200 {"status":"ok",…} once database and job backend answer; 503 otherwise. With DATABASE_READ_URL,
   * `database_read` reports the replica but is never fatal: its reads go to the primary while it is down.
   */
  @Get('health')
  @HealthCheck()
  check(): ReturnType<HealthCheckService['check']> {
    return this.health.check([() => this.database(), () => this.jobBackend(true), ...this.replica(), ...this.advisory()]);
  }

  /**
   * Whether this process can serve requests: 200 while the database answers, whatever the job backend
   * (reported in `jobs`, never fatal). For a load balancer that should keep API processes in rotation
   * during a Redis outage: registrations and reads go on, texts wait in the outbox and an ADMIN
   * allocation runs in the API process (README, "When PostgreSQL or Redis goes away").
   */
  @Get('health/serving')
  @HealthCheck()
  serving(): ReturnType<HealthCheckService['check']> {
    return this.health.check([() => this.database(), () => this.jobBackend(false), ...this.replica(), ...this.advisory()]);
  }

  private async database(): Promise<HealthIndicatorResult> {
    const i = this.indicator.check('database');
    try {
      await withTimeout(this.ds.query('SELECT 1'), 2000);
      return i.up();
    } catch (e) {
      return i.down({ message: (e as Error).message });
    }
  }

  private async jobBackend(fatal: boolean): Promise<HealthIndicatorResult> {
    const i = this.indicator.check('jobs');
    try {
      await withTimeout(this.jobs.ping(), 2000);
      return i.up({ backend: this.jobs.backend });
    } catch (e) {
      const details = { backend: this.jobs.backend, message: (e as Error).message };
      return fatal ? i.down(details) : i.up({ ...details, reachable: false });
    }
  }

  private replica(): (() => Promise<HealthIndicatorResult>)[] {
    if (!this.reads.replicated) return [];
    return [
      async () => {
        const replica = await this.reads.probe(2000);
        return this.indicator
          .check('database_read')
          .up(replica?.up ? { replica: 'up' } : { replica: 'down', readsFrom: 'primary', message: replica?.message });
      },
    ];
  }

  /** Checks registered by concept modules (health-registry.ts): details only, never fatal. */
  private advisory(): (() => Promise<HealthIndicatorResult>)[] {
    return this.registry.list().map((c) => async () => {
      const i = this.indicator.check(c.key);
      try {
        return i.up(await withTimeout(c.details(), 2000));
      } catch (e) {
        return i.up({ message: (e as Error).message });
      }
    });
  }

  /**
   * Metrics on the public port: not served at all when METRICS_PORT is set (scrape that internal port);
   * with METRICS_TOKEN only to `Authorization: Bearer $METRICS_TOKEN`; otherwise open outside production
   * and closed in production (404).
   */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { METRICS_PORT, METRICS_TOKEN, NODE_ENV } = this.config;
    if (METRICS_PORT !== undefined || (!METRICS_TOKEN && NODE_ENV === 'production')) {
      res
        .status(404)
        .type('text/plain')
        .send(METRICS_PORT !== undefined ? `metrics are served on METRICS_PORT\n` : 'not found\n');
      return;
    }
    if (METRICS_TOKEN) {
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const given = Buffer.from(m?.[1] ?? '');
      const want = Buffer.from(METRICS_TOKEN);
      if (given.length !== want.length || !timingSafeEqual(given, want)) {
        res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('metrics need Authorization: Bearer $METRICS_TOKEN\n');
        return;
      }
    }
    res.type(this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
