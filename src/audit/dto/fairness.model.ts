import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum FairnessCheck {
  NO_SKIP = 'NO_SKIP',
  RATIO = 'RATIO',
  DEADLINE = 'DEADLINE',
  STOP_LIST = 'STOP_LIST',
}
registerEnumType(FairnessCheck, {
  name: 'FairnessCheck',
  description:
    'NO_SKIP: a better-ranked eligible application waited (or the referral went to one not allocatable), a place was claimed before its priority window ended (or opened for claims too early), or claims were not first come first served; RATIO: the 1 : 3 turn of classes 1 and 2 was not kept; DEADLINE: a confirmation/documents deadline, clock start or expiry instant is wrong, or admission was refused for incomplete documents before the documents deadline; STOP_LIST: an expiry without its stop-list term, a wrong term, or a term not ended on time',
});

@ObjectType({ description: 'One finding of the fairness audit' })
export class FairnessViolation {
  @Field(() => FairnessCheck) check: FairnessCheck;
  @Field(() => Int, { description: 'Ledger seq of the event where it shows' }) eventSeq: number;
  @Field(() => ID, { nullable: true }) referralId: string | null;
  @Field() message: string;
  @Field({
    description: 'JSON object: ids, classes, instants and cycle positions to re-check the finding',
  })
  evidence: string;
}

@ObjectType({
  description: 'The ledger replayed and checked against the allocation rules, deadlines and stop-list terms',
})
export class FairnessReport {
  @Field(() => Date, { nullable: true }) from: Date | null;
  @Field(() => Date, { nullable: true }) to: Date | null;
  @Field(() => Int) eventsReplayed: number;
  @Field(() => Int) referralsChecked: number;
  @Field(() => [FairnessViolation], { complexity: 5 }) violations: FairnessViolation[];
  @Field() ok: boolean;
}
