import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { formatLastMoment, reminderDue } from '../notification/domain/reminders.js';
import type { Language } from '../notification/domain/stages.js';
import { NotificationService } from '../notification/notification.service.js';
import type { ReferralStatus } from './domain/referral-state.js';
import { ReferralStore } from './referral.store.js';

/** Deadlines can be reminded about at most this far ahead (the longest run of days off is ~6). */
const LOOKAHEAD_MS = 31 * 24 * 3600_000;

/**
 * 09:00 daily: texts DEADLINE_REMINDER for each live referral whose deadline (OFFERED: confirm_by,
 * CONFIRMED: valid_until) falls on the next working day's end, i.e. on the working day before the
 * deadline's day (rules/NOTES.md). One text per referral and deadline (an extended referral gets one for
 * its new deadline).
 */
@Injectable()
export class DeadlineRemindersService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendar: CalendarService,
    private readonly notifications: NotificationService,
    private readonly referrals: ReferralStore,
  ) {}

  async run(at: Date): Promise<{ reminded: number }> {
    const today = toAlmatyDate(at);
    const cal = await this.calendar.calendar();
    return this.ds.transaction(async (em) => {
      const rows: {
        id: string;
        status: ReferralStatus;
        deadline: Date;
        application_id: string;
        number: string;
        phone: string;
        notification_language: Language;
      }[] = await em.query(
        `SELECT r.id, r.status, CASE WHEN r.status = 'OFFERED' THEN r.confirm_by ELSE r.valid_until END AS deadline,
                a.id AS application_id, a.number, a.phone, a.notification_language
         FROM referral r JOIN application a ON a.id = r.application_id
         WHERE (r.status = 'OFFERED' AND r.confirm_by > $1 AND r.confirm_by <= $2)
            OR (r.status = 'CONFIRMED' AND r.valid_until > $1 AND r.valid_until <= $2)
         ORDER BY deadline, r.id`,
        [at, new Date(at.getTime() + LOOKAHEAD_MS)],
      );
      let reminded = 0;
      for (const r of rows) {
        if (!reminderDue(cal, r.deadline, today, at)) continue;
        const fresh = await this.notifications.enqueueIfNew(em, {
          applicationId: r.application_id,
          phone: r.phone,
          language: r.notification_language,
          stage: 'DEADLINE_REMINDER',
          key: `DEADLINE_REMINDER:${r.id}:${r.deadline.toISOString()}`,
          params: { number: r.number, deadline: formatLastMoment(r.deadline) },
          at,
        });
        if (!fresh) continue;
        await this.referrals.remind(em, r, r.deadline);
        reminded++;
      }
      return { reminded };
    });
  }
}
