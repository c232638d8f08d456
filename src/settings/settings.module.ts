import { Global, Module } from '@nestjs/common';
import { SettingsService } from './settings.service.js';

/** The Rules' timers and ratios (the `setting` table), available to every module as it was from PlatformModule. */
@Global()
@Module({ providers: [SettingsService], exports: [SettingsService] })
export class SettingsModule {}
