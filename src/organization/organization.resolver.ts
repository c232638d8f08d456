import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { CreateOrganizationInput, OrganizationsArgs } from './dto/organization.input.js';
import { Organization, OrganizationConnection } from './dto/organization.model.js';
import { OrganizationService } from './organization.service.js';

@Resolver(() => Organization)
export class OrganizationResolver {
  constructor(private readonly service: OrganizationService) {}

  @Public()
  @Query(() => Organization, { nullable: true })
  organization(@Args('id', { type: () => ID }) id: string): Promise<Organization | null> {
    return this.service.get(id);
  }

  @Public()
  @Query(() => OrganizationConnection, { description: 'Organizations, filtered by locality (KATO)' })
  organizations(@Args() args: OrganizationsArgs): ReturnType<OrganizationService['list']> {
    return this.service.list(args);
  }

  @Roles('ADMIN')
  @Mutation(() => Organization)
  createOrganization(@Args('input') input: CreateOrganizationInput, @CurrentPrincipal() by: Principal): Promise<Organization> {
    return this.service.create(input, by);
  }
}
