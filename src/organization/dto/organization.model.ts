import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../platform/graphql/connection.js';

@ObjectType({ description: 'Preschool organization with a state educational order' })
export class Organization {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ description: 'Name in Kazakh (the one name when none was given)' }) nameKk: string;
  @Field({ description: 'Name in Russian (the one name when none was given)' }) nameRu: string;
  @Field({ description: 'БСН (business identification number), 12 digits' }) bin: string;
  @Field({ description: 'KATO code of the locality, 9 digits' }) locality: string;
  @Field(() => String, { nullable: true }) address: string | null;
  @Field() createdAt: Date;
}

export const OrganizationConnection = Connection(Organization, 'Organization');
