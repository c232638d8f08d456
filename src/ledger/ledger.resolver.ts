import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import {
  ConsistencyProof,
  LedgerHead,
  LedgerKey,
  LedgerProof,
  LedgerProofSide,
  LedgerVerification,
  SignedTreeHead,
} from './dto/ledger.model.js';
import { readHead } from './ledger-sealer.service.js';
import { LedgerTreeService } from './ledger-tree.service.js';
import { LedgerProofService } from './ledger-proof.service.js';
import { LedgerSealerService } from './ledger-sealer.service.js';
import { LedgerVerifierService } from './ledger-verifier.service.js';

@Resolver()
export class LedgerResolver {
  constructor(
    private readonly sealer: LedgerSealerService,
    private readonly verifier: LedgerVerifierService,
    private readonly proofs: LedgerProofService,
    private readonly tree: LedgerTreeService,
    private readonly ds: DataSource,
  ) {}

  @Public()
  @Query(() => LedgerHead, { description: 'Anyone: head of the sealed chain and the signed tree head (committed events are sealed first)' })
  async ledgerHead(): Promise<LedgerHead> {
    await this.sealer.seal();
    // Both read in one snapshot: the signed head covers exactly the `length` sealed events.
    return this.ds.transaction('REPEATABLE READ', async (em) => {
      const head = await readHead(em);
      const signed = await this.tree.latestHead(em);
      if (!signed) throw new Error('ledger: no signed tree head after sealing');
      return { ...head, signed: toSignedHead(signed) };
    });
  }

  @Public()
  @Query(() => [LedgerKey], { description: 'Anyone: the public keys that sign tree heads (old ones stay listed)' })
  ledgerKeys(): Promise<LedgerKey[]> {
    return this.tree.keys();
  }

  @Public()
  @Query(() => ConsistencyProof, {
    description: 'Anyone: RFC 9162 §2.1.4 proof that the tree of fromSize is a prefix of the tree of toSize (default: the head)',
  })
  ledgerConsistency(
    @Args('fromSize', { type: () => Int }) fromSize: number,
    @Args('toSize', { type: () => Int, nullable: true }) toSize?: number | null,
  ): Promise<ConsistencyProof> {
    return this.tree.consistency(fromSize, toSize);
  }

  @Public()
  @Query(() => LedgerVerification, {
    description: 'Anyone: recomputes the whole chain; firstInvalidSeq is a block seq',
    complexity: 2000, // reads the whole ledger
  })
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
    @Args('treeSize', { type: () => Int, nullable: true, description: 'Tree the inclusion proofs are for (default: the head)' })
    treeSize?: number | null,
  ): Promise<LedgerProof[]> {
    const proofs = await this.proofs.forApplication(applicationId, by, treeSize);
    return proofs.map((p) => ({
      ...p,
      path: p.path.map((s) => ({ side: s.side === 'L' ? LedgerProofSide.L : LedgerProofSide.R, hash: s.hash })),
    }));
  }
}

export function toSignedHead(h: {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}): SignedTreeHead {
  return { ...h, timestamp: new Date(h.timestamp) };
}
