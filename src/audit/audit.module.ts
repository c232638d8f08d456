import { Module } from '@nestjs/common';
import { AuditResolver } from './audit.resolver.js';
import { AuditService } from './audit.service.js';

/** The fairness audit: the ledger replayed against the queue's rules (GraphQL fairnessAudit, npm run audit:fairness). */
@Module({ providers: [AuditService, AuditResolver], exports: [AuditService] })
export class AuditModule {}
