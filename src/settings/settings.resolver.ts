import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Public, Roles } from '../auth/access.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { DateScalarType } from '../platform/graphql/scalars.js';
import { Setting } from './dto/setting.model.js';
import { SettingsService } from './settings.service.js';

@Resolver(() => Setting)
export class SettingsResolver {
  constructor(private readonly service: SettingsService) {}

  @Public()
  @Query(() => [Setting], { description: "The Rules' timers and ratios in force now, with the changes announced for later" })
  settings(): Promise<Setting[]> {
    return this.service.list();
  }

  @Roles('ADMIN')
  @Mutation(() => Setting, { description: 'ADMIN: change a setting (value: JSON text) from 00:00 of a day after today; ledgered' })
  updateSetting(
    @Args('key') key: string,
    @Args('value') value: string,
    @Args('effectiveFrom', { type: () => DateScalarType }) effectiveFrom: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<Setting> {
    return this.service.update(key, value, effectiveFrom, by);
  }
}
