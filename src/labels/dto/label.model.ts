import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'The text of one value of a closed set (GraphQL enums) or of a priority category, in one language' })
export class Label {
  @Field({ description: 'The GraphQL type name (GroupType, ReferralStatus, …) or "PriorityCategory"' }) type: string;
  @Field({ description: 'The enum value or the category code' }) value: string;
  @Field({ description: 'Its text in the language asked for' }) text: string;
}
