import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { LedgerHead, LedgerProof, LedgerProofSide, LedgerVerification } from './dto/ledger.model.js';
import { LedgerProofService } from './ledger-proof.service.js';
import { LedgerSealerService } from './ledger-sealer.service.js';
import { LedgerVerifierService } from './ledger-verifier.service.js';

@Resolver()
export class LedgerResolver {
  constructor(
    private readonly sealer: LedgerSealerService,
    private readonly verifier: LedgerVerifierService,
    private readonly proofs: LedgerProofService,
  ) {}

  @Public()
  @Query(() => LedgerHead, { description: 'Anyone: head of the sealed chain (committed events are sealed first)' })
  ledgerHead(): Promise<LedgerHead> {
    return this.sealer.headInfo();
  }

  @Public()
  @Query(() => LedgerVerification, { description: 'Anyone: recomputes the whole chain; firstInvalidSeq is a block seq' })
  async ledgerVerify(): Promise<LedgerVerification> {
    await this.sealer.seal();
    const v = await this.verifier.verify();
    return { valid: v.valid, length: v.length, headHash: v.headHash, firstInvalidSeq: v.firstInvalidSeq, reason: v.reason };
  }

  @Roles('ADMIN', 'APPLICANT')
  @Query(() => [LedgerProof], {
    description: 'ADMIN or the owning APPLICANT: inclusion proofs of the sealed events of an application and its referrals',
    complexity: 20,
  })
  async ledgerProof(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<LedgerProof[]> {
    const proofs = await this.proofs.forApplication(applicationId, by);
    return proofs.map((p) => ({
      ...p,
      path: p.path.map((s) => ({ side: s.side === 'L' ? LedgerProofSide.L : LedgerProofSide.R, hash: s.hash })),
    }));
  }
}
