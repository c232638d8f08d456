import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A text message sent (or to be sent) to the applicant about a stage' })
export class Notification {
  @Field(() => ID) id: string;
  @Field({ description: 'The stage it tells about, e.g. APPLICATION_REGISTERED' }) stage: string;
  @Field({ description: 'kk or ru' }) language: string;
  @Field() text: string;
  @Field({ description: 'PENDING, SENT, DELIVERED (the provider reported delivery) or FAILED' })
  status: string;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) sentAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When the provider reported it delivered' })
  deliveredAt: Date | null;
  @Field(() => Int, { description: 'Delivery attempts so far' }) attempts: number;
}
