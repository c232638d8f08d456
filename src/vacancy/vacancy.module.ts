import { Module } from '@nestjs/common';
import { OrganizationModule } from '../organization/organization.module.js';
import { BulletinEntryResolver, VacancyResolver } from './vacancy.resolver.js';
import { VacancyService } from './vacancy.service.js';
import { VacancyStore } from './vacancy.store.js';

/**
 * Places (SPEC.md "Vacancy", "Bulletin"): publishing, revoking, the daily bulletin.
 * - domain/: the place's rules (vacancy-rules.ts) and life cycle (vacancy-state.ts), pure.
 * - vacancy.store.ts: the only writer of `vacancy` (publish, revoke, take, release, fill, open, …).
 * - vacancy.service.ts owns transactions; the bulletin's time is in src/timetable.
 */
@Module({
  imports: [OrganizationModule],
  providers: [VacancyStore, VacancyService, VacancyResolver, BulletinEntryResolver],
  exports: [VacancyStore, VacancyService],
})
export class VacancyModule {}
