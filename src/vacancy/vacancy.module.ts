import { Module } from '@nestjs/common';
import { OrganizationModule } from '../organization/organization.module.js';
import { BulletinEntryResolver, VacancyResolver } from './vacancy.resolver.js';
import { VacancyService } from './vacancy.service.js';

@Module({
  imports: [OrganizationModule],
  providers: [VacancyService, VacancyResolver, BulletinEntryResolver],
  exports: [VacancyService],
})
export class VacancyModule {}
