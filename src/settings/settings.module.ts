import { Global, Module } from '@nestjs/common';
import { SettingsResolver } from './settings.resolver.js';
import { SettingsService } from './settings.service.js';

/** The Rules' timers and ratios as rules with dates (`setting_version`), available to every module. */
@Global()
@Module({ providers: [SettingsService, SettingsResolver], exports: [SettingsService] })
export class SettingsModule {}
