import { Args, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/access.decorator.js';
import { AuditService } from './audit.service.js';
import { FairnessCheck, FairnessReport } from './dto/fairness.model.js';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Roles('ADMIN')
  @Query(() => FairnessReport, {
    description:
      'ADMIN: replays the ledger and checks, for events in [from, to] (to: now), that no referral skipped a better-ranked eligible application, the 1 : 3 turn was kept, deadlines were computed and enforced, and expiries led to their stop-list terms',
    complexity: 1000, // replays the whole ledger
  })
  async fairnessAudit(
    @Args('from', { type: () => Date, nullable: true }) from: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to: Date | null,
  ): Promise<FairnessReport> {
    const r = await this.audit.fairness(from ?? null, to ?? null);
    return {
      ...r,
      violations: r.violations.map((v) => ({
        ...v,
        check: FairnessCheck[v.check],
        evidence: JSON.stringify(v.evidence),
      })),
    };
  }
}
