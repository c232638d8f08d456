/**
 * The day of the Rules, in one place (Asia/Almaty local time). Every daily task of Kezek is listed here,
 * in the order tasks due at the same moment run; the services only do the work. SchedulerService
 * (src/platform/jobs) runs what is due from PostgreSQL (scheduled_run), catches up after downtime in time
 * order, and runs each (task, day) once.
 *
 *   00:00  the night's sweeps: deadlines end at 24:00, so what lapsed yesterday lapses now
 *          0. settings-in-force   `setting` takes the values in force today (changes take effect at 00:00;
 *                                 judgments read the dated versions themselves, this keeps SQL readers current)
 *          1. referral-expiry     referrals not confirmed / documents not brought in time → stop-list
 *          2. claims-lapse        priority claims not proven in time lapse (registration time kept)
 *          3. age-out             children who reached the age limit leave the queue (archive)
 *          4. stop-list-release   stop-list terms that ended yesterday end; applications back in the queue
 *          5. proactive-lapse     offers to register a newborn that were not answered lapse
 *          6. early-booking-lapse early bookings whose place was not marked vacated N working days after its
 *                                 admission start lapse; the family back in the queue, the place taken back
 *          7. temporary-stay-end  temporary-stay terms whose last day is over end; the place returns, family texted
 *   09:00  the bulletin, then the places it lists go to the heads of the queues
 *          8. bulletins           the day's bulletin of places handed over (and revoked) since yesterday 09:00
 *          9. allocation          every fresh or returned place to the head of its queue, locality by locality
 *         10. open-place-notice   places nobody could take, past their priority window: fitting families told
 *         11. deadline-reminders  the day-before text for deadlines ending at the next working day's end
 *         12. open-data           the day's open data frozen (queues and bulletins, pseudonymised)
 */
import { Module, type OnModuleInit } from '@nestjs/common';
import { ArchiveModule } from '../archive/archive.module.js';
import { ArchiveService } from '../archive/archive.service.js';
import { OpenDataModule } from '../opendata/opendata.module.js';
import { OpenDataService } from '../opendata/opendata.service.js';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';
import { ProactiveModule } from '../proactive/proactive.module.js';
import { ProactiveService } from '../proactive/proactive.service.js';
import { QueueModule } from '../queue/queue.module.js';
import { PriorityClaimsService } from '../queue/priority-claims.service.js';
import { AllocationService } from '../referral/allocation.service.js';
import { DeadlineRemindersService } from '../referral/deadline-reminders.service.js';
import { ReferralExpiryService } from '../referral/referral-expiry.service.js';
import { ReferralModule } from '../referral/referral.module.js';
import { StopListService } from '../referral/stop-list.service.js';
import { VacancyModule } from '../vacancy/vacancy.module.js';
import { VacancyService } from '../vacancy/vacancy.service.js';
import { SettingsService } from '../settings/settings.service.js';

type Run = (dueAt: Date) => Promise<Record<string, unknown> | void>;

/** A local time of day, HH:MM, in minutes after midnight. */
const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

@Module({ imports: [QueueModule, VacancyModule, ReferralModule, ArchiveModule, ProactiveModule, OpenDataModule] })
export class TimetableModule implements OnModuleInit {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly claims: PriorityClaimsService,
    private readonly vacancies: VacancyService,
    private readonly expiry: ReferralExpiryService,
    private readonly allocation: AllocationService,
    private readonly stopList: StopListService,
    private readonly reminders: DeadlineRemindersService,
    private readonly archive: ArchiveService,
    private readonly proactive: ProactiveService,
    private readonly openData: OpenDataService,
    private readonly settings: SettingsService,
  ) {}

  /** The day, in order (see the header). */
  day(): readonly [time: string, kind: string, run: Run][] {
    return [
      ['00:00', 'settings-in-force', (at) => this.settings.applyInForce(at)],
      ['00:00', 'referral-expiry', (at) => this.expiry.expireDue(at)],
      ['00:00', 'claims-lapse', (at) => this.claims.lapseClaims(at)],
      ['00:00', 'age-out', (at) => this.archive.ageOut(at)],
      ['00:00', 'stop-list-release', (at) => this.stopList.releaseDue(at)],
      ['00:00', 'proactive-lapse', (at) => this.proactive.lapse(at)],
      ['00:00', 'early-booking-lapse', (at) => this.expiry.lapseBookings(at)],
      ['00:00', 'temporary-stay-end', (at) => this.expiry.endAttendances(at)],
      ['09:00', 'bulletins', (at) => this.vacancies.publishBulletins(at)],
      [
        '09:00',
        'allocation',
        async (at) => {
          const run = await this.allocation.runAllocation('schedule', at);
          return { run: run.id, considered: run.vacanciesConsidered, issued: run.referralsIssued };
        },
      ],
      ['09:00', 'open-place-notice', (at) => this.allocation.noticeOpenPlaces(at)],
      ['09:00', 'deadline-reminders', (at) => this.reminders.run(at)],
      ['09:00', 'open-data', (at) => this.openData.freezeDay(at)],
    ];
  }

  onModuleInit(): void {
    this.day().forEach(([time, kind, run], i) => this.scheduler.register({ kind, atMinutes: minutes(time), order: i + 1, run }));
  }
}
