import { Foundation1764000000000 } from './1764000000000-foundation.js';
import { Queue1764000000001 } from './1764000000001-queue.js';
import { AllocationTasks1764000000010 } from './1764000000010-allocation-tasks.js';
import { NotificationDelivery1764000000060 } from './1764000000060-notification-delivery.js';
import { OpenData1764000000070 } from './1764000000070-open-data.js';
import { OpenPlaceNotice1764000000080 } from './1764000000080-open-place-notice.js';
import { QueueCounts1764000000090 } from './1764000000090-queue-counts.js';
import { ScheduledJobIndexes1764000000091 } from './1764000000091-scheduled-job-indexes.js';
import { OpenDataQueueIndex1764000000095 } from './1764000000095-open-data-queue-index.js';
import { AgeOutIndex1764000000096 } from './1764000000096-age-out-index.js';
import { CategoriesAndAge1764000000100 } from './1764000000100-categories-and-age.js';
import { ReferralRules1764000000110 } from './1764000000110-referral-rules.js';
import { CalendarConstitutionDay1764000000120 } from './1764000000120-calendar-constitution-day.js';
import { SettingVersions1764000000130 } from './1764000000130-setting-versions.js';
import { ReturnedPlaces1764000000140 } from './1764000000140-returned-places.js';
import { SignedLedger1764000000150 } from './1764000000150-signed-ledger.js';
import { IdempotencyKeys1764000000180 } from './1764000000180-idempotency-keys.js';
import { ScheduledRunFailures1764000000170 } from './1764000000170-scheduled-run-failures.js';
import { OrganizationNames1764000000190 } from './1764000000190-organization-names.js';

/** Explicit, ordered list (no glob loading: works the same from dist/ and under jest). */
export const MIGRATIONS = [
  Foundation1764000000000,
  Queue1764000000001,
  AllocationTasks1764000000010,
  NotificationDelivery1764000000060,
  OpenData1764000000070,
  OpenPlaceNotice1764000000080,
  QueueCounts1764000000090,
  ScheduledJobIndexes1764000000091,
  OpenDataQueueIndex1764000000095,
  AgeOutIndex1764000000096,
  CategoriesAndAge1764000000100,
  ReferralRules1764000000110,
  CalendarConstitutionDay1764000000120,
  SettingVersions1764000000130,
  ReturnedPlaces1764000000140,
  SignedLedger1764000000150,
  ScheduledRunFailures1764000000170,
  IdempotencyKeys1764000000180,
  OrganizationNames1764000000190,
];
