import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { JobName, QueueName } from '../platform/jobs/job-names.js';
import { JobRegistry } from '../platform/jobs/job-registry.js';
import { LedgerProofService } from './ledger-proof.service.js';
import { LedgerSealerService } from './ledger-sealer.service.js';
import { LedgerVerifierService } from './ledger-verifier.service.js';
import { LedgerResolver } from './ledger.resolver.js';
import { LedgerService } from './ledger.service.js';
import { LedgerTreeService } from './ledger-tree.service.js';
import { TreeHeadSigner } from './tree-head-signer.js';

@Global()
@Module({
  providers: [
    LedgerService,
    LedgerSealerService,
    LedgerVerifierService,
    LedgerProofService,
    LedgerResolver,
    LedgerTreeService,
    TreeHeadSigner,
  ],
  exports: [LedgerService, LedgerSealerService, LedgerVerifierService, LedgerTreeService],
})
export class LedgerModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly sealer: LedgerSealerService,
  ) {}

  onModuleInit(): void {
    // 'seal-tick' (every 5 s, job-names.ts) seals what has committed since.
    this.registry.handle(QueueName.Ledger, JobName.SealLedger, () => this.sealer.seal());
  }
}
