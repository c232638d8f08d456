import 'reflect-metadata';
import { resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { almatyAt, almatyMidnight, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { LedgerVerifierService } from '../ledger/ledger-verifier.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NotificationService } from '../notification/notification.service.js';
import { boot, type BootContext } from '../platform/boot.js';
import { Clock } from '../platform/clock/clock.js';
import { ConfigError } from '../platform/config/config.js';
import { dueInstants, SchedulerService } from '../platform/jobs/scheduler.service.js';
import { AppError } from '../platform/errors/app-error.js';
import { AllocationService } from '../referral/allocation.service.js';
import { type SettingView, SettingsService } from '../settings/settings.service.js';
import { VacancyService } from '../vacancy/vacancy.service.js';
import { CliModule, StderrLogger } from './cli.module.js';
import { type CommandName, type Options, positionalsOf, UsageError } from './cli-options.js';

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

  status: statusOf,
  settings: settingsCommand,

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

/** A scheduled task counts as late (status exits 1) when it has been due this long and is not done. */
export const SCHEDULE_LAG_ALERT_SECONDS = 15 * 60;

/** The operator's principal of `settings set`: an ADMIN named after the CLI (and the OS user when known). */
const CLI_ADMIN = { kind: 'user', sub: `cli${process.env.USER ? `:${process.env.USER}` : ''}`, role: 'ADMIN' } as const;

function settingLine(s: SettingView): string {
  const next = s.upcoming.map((u) => ` (from ${u.effectiveFrom}: ${u.value})`).join('');
  return `${s.key} = ${s.value}  since ${s.effectiveFrom}${next}`;
}

async function statusOf(app: INestApplicationContext): Promise<Outcome> {
  const ds = app.get(DataSource, { strict: false });
  const clock = app.get(Clock, { strict: false });
  const now = clock.now();
  const [bulletin] = (await ds.query(
    `SELECT to_char(bulletin_date, 'YYYY-MM-DD') AS date, kind, published_at AS "publishedAt", entries
     FROM bulletin_publication ORDER BY published_at DESC, bulletin_date DESC LIMIT 1`,
  )) as { date: string; kind: string; publishedAt: Date; entries: number }[];
  const [allocation] = (await ds.query(
    `SELECT id, started_at AS "startedAt", finished_at AS "finishedAt", trigger, locality,
            vacancies_considered AS "vacanciesConsidered", referrals_issued AS "referralsIssued"
     FROM allocation_run ORDER BY started_at DESC LIMIT 1`,
  )) as Record<string, unknown>[];
  const texts = await app.get(NotificationService, { strict: false }).outboxSample();
  // Schedule lag: the oldest daily task due by now (after the scheduler's `since`) that is not done.
  const [state] = (await ds.query(`SELECT since FROM scheduler_state WHERE id = 1`)) as { since: Date }[];
  const done = (await ds.query(`SELECT kind, due_at FROM scheduled_run WHERE due_at > $1`, [state?.since ?? now])) as {
    kind: string;
    due_at: Date;
  }[];
  const doneKeys = new Set(done.map((d) => `${d.kind}@${new Date(d.due_at).getTime()}`));
  const overdue: { kind: string; dueAt: string }[] = [];
  if (state) {
    for (const task of app.get(SchedulerService, { strict: false }).registered) {
      for (const at of dueInstants(new Date(state.since), now, task.atMinutes)) {
        if (!doneKeys.has(`${task.kind}@${at.getTime()}`)) overdue.push({ kind: task.kind, dueAt: at.toISOString() });
      }
    }
  }
  overdue.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const lagSeconds = overdue.length ? Math.round((now.getTime() - Date.parse(overdue[0].dueAt)) / 1000) : 0;
  const head = await app.get(LedgerService, { strict: false }).head(ds.manager);
  const [events] = (await ds.query(
    `SELECT COALESCE(max(seq), 0)::bigint AS last, count(*) FILTER (WHERE block_seq IS NULL)::int AS unsealed FROM ledger_event`,
  )) as { last: string; unsealed: number }[];
  const late = lagSeconds > SCHEDULE_LAG_ALERT_SECONDS;
  const json = {
    ok: !late,
    clock: { now: now.toISOString(), almatyDate: toAlmatyDate(now), simulated: clock.simulated },
    lastBulletin: bulletin ? { ...bulletin, publishedAt: new Date(bulletin.publishedAt).toISOString() } : null,
    lastAllocation: allocation ?? null,
    pendingTexts: texts,
    schedule: { since: state ? new Date(state.since).toISOString() : null, lagSeconds, overdue },
    ledger: { sealedLength: head.length, headHash: head.headHash, lastEventSeq: Number(events.last), unsealedEvents: events.unsealed },
  };
  const lines = [
    `clock: ${json.clock.now} (Almaty ${json.clock.almatyDate}${clock.simulated ? ', simulated' : ''})`,
    `last bulletin: ${bulletin ? `${bulletin.date} ${bulletin.kind}, ${bulletin.entries} entries, published ${json.lastBulletin?.publishedAt}` : 'none'}`,
    `last allocation: ${
      allocation
        ? `${String(allocation.trigger)} at ${new Date(allocation.startedAt as Date).toISOString()}, ${String(allocation.vacanciesConsidered)} places, ${String(allocation.referralsIssued)} referrals`
        : 'none'
    }`,
    `pending texts: ${texts.due} due, ${texts.retry} waiting for a retry, oldest due ${Math.round(texts.overdueSeconds)} s ago`,
    `schedule: ${overdue.length ? `${overdue.length} task(s) due and not done, lag ${lagSeconds} s (oldest ${overdue[0].kind} at ${overdue[0].dueAt})` : 'up to date'}`,
    `ledger: ${head.length} sealed events, head ${head.headHash}; last event ${json.ledger.lastEventSeq}, ${events.unsealed} not yet sealed`,
    ...(late ? [`ATTENTION: the schedule is ${lagSeconds} s behind: is a worker running? (npm run kezek -- catch-up runs it now)`] : []),
  ];
  return { code: late ? 1 : 0, text: lines.join('\n'), json };
}

async function settingsCommand(app: INestApplicationContext, o: Options): Promise<Outcome> {
  const settings = app.get(SettingsService, { strict: false });
  const [verb, key, value] = positionalsOf(o);
  if (verb === 'list') {
    const list = await settings.list();
    return { code: 0, text: list.map(settingLine).join('\n'), json: list };
  }
  const tomorrow = toAlmatyDate(new Date(almatyMidnight(toAlmatyDate(app.get(Clock, { strict: false }).now())).getTime() + 36 * 3600_000));
  const from = typeof o.from === 'string' ? o.from : tomorrow;
  try {
    const view = await settings.update(key, value, from, CLI_ADMIN);
    return { code: 0, text: `setting changed: ${settingLine(view)}`, json: view };
  } catch (e) {
    // Bad input (unknown key, not JSON, out of range, not a future day) changes nothing: a usage error.
    if (e instanceof AppError && e.code === 'BAD_USER_INPUT') throw new UsageError(`settings set: ${e.message}`);
    throw e;
  }
}

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
