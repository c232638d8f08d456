import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

@ObjectType({ description: 'Head of the sealed ledger chain' })
export class LedgerHead {
  @Field(() => Int, { description: 'Number of sealed events' }) length: number;
  @Field({ description: 'Hash of the last block (64 zeros when nothing is sealed)' }) headHash: string;
  @Field(() => Int, { description: 'Number of blocks' }) blocks: number;
  @Field(() => Date, { nullable: true, description: 'When the last block was sealed' }) sealedAt: Date | null;
}

@ObjectType({ description: 'Result of recomputing every event hash, Merkle root, block hash and the prev-hash chain' })
export class LedgerVerification {
  @Field() valid: boolean;
  @Field(() => Int, { description: 'Number of sealed events the stored blocks claim' }) length: number;
  @Field({ description: 'Hash of the last stored block' }) headHash: string;
  @Field(() => Int, { nullable: true, description: 'Seq of the first invalid block' }) firstInvalidSeq: number | null;
  @Field(() => String, { nullable: true, description: 'What was found wrong first' }) reason: string | null;
}

export enum LedgerProofSide {
  L = 'L',
  R = 'R',
}
registerEnumType(LedgerProofSide, {
  name: 'LedgerProofSide',
  description: 'L: the sibling is on the left, next = sha256(sibling + current); R: next = sha256(current + sibling)',
});

@ObjectType({ description: 'One step of a Merkle inclusion proof (hex strings are concatenated, then hashed)' })
export class LedgerProofStep {
  @Field(() => LedgerProofSide) side: LedgerProofSide;
  @Field() hash: string;
}

@ObjectType({ description: 'The facts a block hash is computed from: sha256 of their canonical JSON' })
export class LedgerBlockHeader {
  @Field(() => Int) seq: number;
  @Field() prevHash: string;
  @Field() merkleRoot: string;
  @Field() hash: string;
  @Field(() => Int) firstEvent: number;
  @Field(() => Int) lastEvent: number;
  @Field(() => Int) eventCount: number;
  @Field({ description: 'ISO-8601 UTC, exactly as hashed' }) sealedAt: string;
}

@ObjectType({ description: 'A sealed event with its Merkle path to its block root' })
export class LedgerProof {
  @Field(() => Int) seq: number;
  @Field() type: string;
  @Field({ description: 'ISO-8601 UTC, exactly as hashed' }) at: string;
  @Field() entity: string;
  @Field() entityId: string;
  @Field() actor: string;
  @Field({ description: 'Event data as JSON; the hash uses its canonical form (keys sorted)' }) data: string;
  @Field({ description: 'sha256 of canonical JSON {actor, at, data, entity, entityId, type}' }) eventHash: string;
  @Field(() => Int) blockSeq: number;
  @Field() merkleRoot: string;
  @Field() blockHash: string;
  @Field(() => [LedgerProofStep], { description: 'From the leaf up to the root' }) path: LedgerProofStep[];
  @Field(() => LedgerBlockHeader) block: LedgerBlockHeader;
}
