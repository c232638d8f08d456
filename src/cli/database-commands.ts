import 'reflect-metadata';
import { resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { almatyAt, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { LedgerVerifierService } from '../ledger/ledger-verifier.service.js';
import { boot, type BootContext } from '../platform/boot.js';
import { Clock } from '../platform/clock/clock.js';
import { ConfigError } from '../platform/config/config.js';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';
import { AllocationService } from '../referral/allocation.service.js';
import { VacancyService } from '../vacancy/vacancy.service.js';
import { CliModule, StderrLogger } from './cli.module.js';
import { type CommandName, type Options, UsageError } from './cli-options.js';

/**
 * The `kezek` commands that use the database (loaded only for them): boot (config, database,
 * migrations), then a Nest application context of the domain modules without job workers.
 */

interface Outcome {
  code: 0 | 1;
  text: string;
  json: unknown;
}

type Runner = (app: INestApplicationContext, o: Options) => Promise<Outcome>;

/**
 * The open-data export (OpenDataService.exportTo(dir, date), written elsewhere), found among the
 * providers by name so that this file builds and runs without it.
 */
function findExporter(app: INestApplicationContext): { name: string; run(dir: string, date: string): Promise<unknown> } | null {
  for (const mod of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of mod.providers.values()) {
      const inst: unknown = wrapper.instance;
      if (!inst || typeof inst !== 'object') continue;
      const name = inst.constructor.name;
      const fn = (inst as Record<string, unknown>).exportTo;
      if (/open.?data|export/i.test(name) && typeof fn === 'function') {
        return { name: `${name}.exportTo`, run: (dir, date) => Promise.resolve(fn.call(inst, dir, date) as unknown) };
      }
    }
  }
  return null;
}

const RUNNERS: Record<CommandName, Runner> = {
  async allocate(app) {
    const run = await app.get(AllocationService).runAllocation('cli');
    return {
      code: 0,
      text: `allocation run ${run.id}: ${run.vacanciesConsidered} places considered, ${run.referralsIssued} referrals issued`,
      json: run,
    };
  },

  async bulletin(app, o) {
    const date = o.date as string;
    const at = almatyAt(date, 9);
    const now = app.get(Clock).now();
    // A bulletin frozen before its 09:00 would miss the places handed over until then.
    if (at.getTime() > now.getTime()) {
      throw new UsageError(`bulletin: ${date} 09:00 Asia/Almaty has not come yet (now ${now.toISOString()})`);
    }
    const r = await app.get(VacancyService).publishBulletins(at);
    const already = r.vacated < 0;
    return {
      code: 0,
      text: already
        ? `bulletins of ${r.date} were already published: nothing changed`
        : `bulletins of ${r.date} published: ${r.vacated} vacated, ${r.revoked} revoked`,
      json: { ...r, alreadyPublished: already },
    };
  },

  async 'catch-up'(app) {
    const ran = await app.get(SchedulerService).catchUp();
    return { code: 0, text: `catch-up: ${ran} scheduled task(s) ran`, json: { ran } };
  },

  async 'verify-ledger'(app) {
    const v = await app.get(LedgerVerifierService).verify();
    const lines = [
      `ledger: ${v.valid ? 'VALID' : 'INVALID'}`,
      `  sealed events: ${v.length} in ${v.blocks} blocks; head hash: ${v.headHash}`,
      ...(v.valid ? [] : [`  first invalid block: ${v.firstInvalidSeq ?? '-'}`, `  reason: ${v.reason ?? ''}`]),
    ];
    return { code: v.valid ? 0 : 1, text: lines.join('\n'), json: v };
  },

  async export(app, o) {
    const exporter = findExporter(app);
    if (!exporter) {
      return { code: 1, text: 'export: not available in this build (no open-data export service)', json: { available: false } };
    }
    const dir = resolve(o.out as string);
    const date = typeof o.date === 'string' ? o.date : toAlmatyDate(app.get(Clock).now());
    const result = await exporter.run(dir, date);
    const files = Array.isArray(result) ? result.map(String) : [];
    return {
      code: 0,
      text: [`open data of ${date} written to ${dir}`, ...files.map((f) => `  ${f}`)].join('\n'),
      json: { date, dir, files: Array.isArray(result) ? files : result },
    };
  },
};

/** Runs one command; the result goes to stdout (text, or one JSON line with --json), errors to stderr. */
export async function runDatabaseCommand(name: CommandName, o: Options): Promise<number> {
  const verbose = o.verbose === true;
  let ctx: BootContext | null = null;
  let app: INestApplicationContext | null = null;
  try {
    ctx = await boot(process.env, (m) => (verbose ? process.stderr.write(`${m}\n`) : undefined));
    app = await NestFactory.createApplicationContext(CliModule.forRoot(ctx), {
      logger: new StderrLogger(verbose),
      abortOnError: false,
    });
    await app.init();
    const out = await RUNNERS[name](app, o);
    process.stdout.write(`${o.json ? JSON.stringify(out.json) : out.text}\n`);
    return out.code;
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    await app?.close().catch(() => undefined);
    await ctx?.shutdown().catch(() => undefined);
  }
}
