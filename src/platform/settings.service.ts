import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface Settings {
  confirmWorkingDays: number;
  documentsWorkingDays: number;
  extensionCalendarDays: number;
  stopListCalendarDays: number;
  priorityWindowHours: number;
  proofWorkingDays: number;
  proactiveReplyCalendarDays: number;
  transferPeriod: { from: string; to: string };
  interleave: { first: number; general: number };
  ageLimitYears: number;
}

/** Timers and ratios of the Rules, stored in `setting` so an operator changes them without a deploy. */
@Injectable()
export class SettingsService {
  constructor(private readonly ds: DataSource) {}

  async get(em: EntityManager | DataSource = this.ds): Promise<Settings> {
    const rows: { key: string; value: unknown }[] = await em.query(`SELECT key, value FROM setting`);
    const out: Record<string, unknown> = {};
    for (const r of rows) out[r.key] = r.value;
    return out as unknown as Settings;
  }
}
