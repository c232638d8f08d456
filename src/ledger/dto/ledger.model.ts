import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

@ObjectType({
  description:
    'A signed head of the ledger tree (RFC 9162 §2.1 over every sealed event in seq order): signature = base64 Ed25519 over the UTF-8 text ' +
    '"kezek-tree-head-v1\\n{treeSize}\\n{rootHash}\\n{timestamp}" (timestamp exactly as returned)',
})
export class SignedTreeHead {
  @Field(() => Int, { description: 'Number of leaves (sealed events)' }) treeSize: number;
  @Field({ description: 'Merkle tree hash, lower-case hex' }) rootHash: string;
  @Field(() => Date, { description: 'When the head was signed' }) timestamp: Date;
  @Field({ description: 'Id of the signing key (ledgerKeys)' }) keyId: string;
  @Field({ description: 'Base64 Ed25519 signature' }) signature: string;
}

@ObjectType({ description: 'A public key that signs tree heads; old keys stay listed after a rotation' })
export class LedgerKey {
  @Field({ description: 'First 16 hex digits of SHA-256 over the SPKI DER' }) keyId: string;
  @Field({ description: 'Ed25519' }) algorithm: string;
  @Field({ description: 'SPKI PEM' }) publicKey: string;
  @Field(() => Date) validFrom: Date;
  @Field(() => Date, { nullable: true, description: 'When the next key took over (null: the current key)' }) validUntil: Date | null;
}

@ObjectType({ description: 'RFC 9162 §2.1.4 consistency proof: the tree of fromSize leaves is a prefix of the tree of toSize' })
export class ConsistencyProof {
  @Field(() => Int) fromSize: number;
  @Field(() => Int) toSize: number;
  @Field(() => [String], { description: 'Lower-case hex, in the order of RFC 9162 §2.1.4.1' }) hashes: string[];
}

@ObjectType({ description: 'Head of the sealed ledger chain' })
export class LedgerHead {
  @Field(() => Int, { description: 'Number of sealed events' }) length: number;
  @Field({ description: 'Hash of the last block (64 zeros when nothing is sealed)' }) headHash: string;
  @Field(() => Int, { description: 'Number of blocks' }) blocks: number;
  @Field(() => Date, { nullable: true, description: 'When the last block was sealed' }) sealedAt: Date | null;
  @Field(() => SignedTreeHead, { description: 'The signed head of the Merkle tree over the same sealed events (treeSize = length)' })
  signed: SignedTreeHead;
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
  @Field(() => Int, { nullable: true, description: 'Index of the event among the tree leaves (seq order, from 0)' }) leafIndex:
    number | null;
  @Field(() => Int, { nullable: true, description: 'Size of the tree the inclusion proof is for' }) treeSize: number | null;
  @Field(() => [String], {
    nullable: true,
    description: 'RFC 9162 §2.1.3 inclusion proof of the leaf SHA-256(0x00 ‖ RFC 8785 JSON of {actor, at, data, entity, entityId, type})',
  })
  inclusion: string[] | null;
}
