import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput } from '../platform/errors/app-error.js';
import {
  checkSettingChange,
  defaultVersion,
  isSettingKey,
  SETTING_DESCRIPTIONS,
  settingsAt,
  settingsTimeline,
  settingText,
  SINCE_THE_START,
  versionsInForceOn,
  type SettingVersion,
} from './domain/setting-versions.js';
import { SETTING_KEYS, type Settings } from './domain/settings.js';

export type { Settings } from './domain/settings.js';

/** One setting as `settings` shows it: the version in force now and the changes announced for later. */
export interface SettingView {
  key: string;
  value: string;
  effectiveFrom: string;
  description: string;
  upcoming: { value: string; effectiveFrom: string }[];
}

/**
 * The Rules' timers and ratios as rules with dates (src/settings/domain/setting-versions.ts): every version
 * is a row of `setting_version`; `setting` holds the base values (and descriptions) and, kept up to date
 * here and by the daily `settings-in-force` task, the values in force today for SQL that reads it.
 */
@Injectable()
export class SettingsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  /**
   * The checked settings in force at `at` (default: now), as the caller's transaction sees them. Pass the
   * instant being judged (a registration, a run, a referral's issue), not the moment of the call.
   */
  async get(em: EntityManager | DataSource = this.ds, at: Date = this.clock.now()): Promise<Settings> {
    return settingsAt(await this.versions(em), at);
  }

  /** {@link get} with the instant first. */
  async inForceAt(at: Date, em: EntityManager | DataSource = this.ds): Promise<Settings> {
    return this.get(em, at);
  }

  /** The settings history as a function of time (the fairness audit, sweeps judging many instants). */
  async timeline(em: EntityManager | DataSource = this.ds): Promise<(at: Date) => Settings> {
    return settingsTimeline(await this.versions(em));
  }

  /** Every version: `setting_version`, then base values of keys only in `setting` (added later by a migration). */
  async versions(em: EntityManager | DataSource = this.ds): Promise<SettingVersion[]> {
    const rows: { key: string; value: unknown; effective_from: string }[] = await em.query(
      `SELECT key, value, to_char(effective_from, 'YYYY-MM-DD') AS effective_from FROM setting_version
       UNION ALL
       SELECT s.key, s.value, $1 FROM setting s WHERE NOT EXISTS (SELECT 1 FROM setting_version v WHERE v.key = s.key)`,
      [SINCE_THE_START],
    );
    return rows.map((r) => ({ key: r.key, value: r.value, effectiveFrom: r.effective_from }));
  }

  /** Every setting of the Rules (every key of DEFAULT_SETTINGS), the version in force now. */
  async list(em: EntityManager | DataSource = this.ds): Promise<SettingView[]> {
    const [versions, described] = await Promise.all([
      this.versions(em),
      em.query(`SELECT key, description FROM setting`) as Promise<{ key: string; description: string }[]>,
    ]);
    const today = toAlmatyDate(this.clock.now());
    const inForce = versionsInForceOn(versions, today);
    const descriptions = new Map(described.map((d) => [d.key, d.description]));
    return SETTING_KEYS.map((key) => {
      const v = inForce.get(key) ?? defaultVersion(key);
      return {
        key,
        value: settingText(v.value),
        effectiveFrom: v.effectiveFrom,
        description: SETTING_DESCRIPTIONS[key] ?? descriptions.get(key) ?? key,
        upcoming: versions
          .filter((u) => u.key === key && u.effectiveFrom > today)
          .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))
          .map((u) => ({ value: settingText(u.value), effectiveFrom: u.effectiveFrom })),
      };
    });
  }

  /**
   * ADMIN: `key` becomes the JSON `valueText` from 00:00 (Almaty) of `effectiveFrom`, a day after today.
   * A change already announced for that key and day is superseded. Ledgered (`setting.updated`); bad input
   * (unknown key, not JSON, out of range, not a future day) is refused with its field and writes nothing.
   */
  async update(key: string, valueText: string, effectiveFrom: string, by: Principal): Promise<SettingView> {
    const now = this.clock.now();
    const check = checkSettingChange(key, valueText, effectiveFrom, toAlmatyDate(now));
    if (!check.ok) throw badInput(check.field, check.problem);
    await this.ds.transaction(async (em) => {
      // One change of the settings at a time: the previous value and the superseded change are read stably.
      await em.query(`LOCK TABLE setting_version IN SHARE ROW EXCLUSIVE MODE`);
      const versions = await this.versions(em);
      if (!versions.some((v) => v.key === check.key)) {
        // The first dated change of a key only in the defaults (or only in `setting`): keep its base version.
        const base = defaultVersion(check.key);
        await em.query(
          `INSERT INTO setting_version (key, effective_from, value, changed_at, changed_by)
           SELECT $1, $2, COALESCE((SELECT value FROM setting WHERE key = $1), $3::jsonb), $4, 'system'`,
          [check.key, SINCE_THE_START, JSON.stringify(base.value), now],
        );
        versions.push(...(await this.versions(em)).filter((v) => v.key === check.key));
      }
      const dayBefore = versionsInForceOn(
        versions.filter((v) => v.effectiveFrom < effectiveFrom),
        effectiveFrom,
      ).get(check.key);
      const same = versions.find((v) => v.key === check.key && v.effectiveFrom === effectiveFrom);
      await em.query(
        `INSERT INTO setting_version (key, effective_from, value, changed_at, changed_by) VALUES ($1, $2, $3::jsonb, $4, $5)
         ON CONFLICT (key, effective_from) DO UPDATE SET value = EXCLUDED.value, changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by`,
        [check.key, effectiveFrom, check.json, now, actorOf(by)],
      );
      await this.ledger.append(em, {
        type: 'setting.updated',
        entity: 'setting',
        entityId: check.key,
        actor: actorOf(by),
        at: now,
        data: {
          key: check.key,
          value: check.json,
          effectiveFrom,
          previous: settingText(dayBefore?.value ?? defaultVersion(check.key).value),
          supersedes: same ? settingText(same.value) : null,
        },
      });
    });
    const view = (await this.list()).find((s) => s.key === check.key);
    if (!view) throw new Error(`setting ${check.key} missing after update`);
    return view;
  }

  /**
   * The daily task at 00:00: `setting` (read by SQL such as the queue's interleave ratio) takes the values
   * in force on the day of `at`. Judgments do not depend on it (they read the versions).
   */
  async applyInForce(at: Date, em: EntityManager | DataSource = this.ds): Promise<{ changed: number }> {
    const inForce = versionsInForceOn(await this.versions(em), toAlmatyDate(at));
    let changed = 0;
    for (const v of inForce.values()) {
      if (!isSettingKey(v.key)) continue;
      const rows: unknown[] = await em.query(
        `INSERT INTO setting (key, value, description, updated_at, updated_by) VALUES ($1, $2::jsonb, $3, $4, 'system:settings')
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         WHERE setting.value IS DISTINCT FROM EXCLUDED.value
         RETURNING key`,
        [v.key, JSON.stringify(v.value), SETTING_DESCRIPTIONS[v.key] ?? v.key, at],
      );
      changed += rows.length;
    }
    return { changed };
  }
}
