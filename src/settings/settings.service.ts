import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { readSettings, type Settings } from './domain/settings.js';

export type { Settings } from './domain/settings.js';

/** Reads the Rules' timers and ratios from the `setting` table, checked by src/settings/domain/settings.ts. */
@Injectable()
export class SettingsService {
  constructor(private readonly ds: DataSource) {}

  async get(em: EntityManager | DataSource = this.ds): Promise<Settings> {
    const rows: { key: string; value: unknown }[] = await em.query(`SELECT key, value FROM setting`);
    return readSettings(Object.fromEntries(rows.map((r) => [r.key, r.value])));
  }
}
