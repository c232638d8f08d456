import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ArchiveResolver } from './archive.resolver.js';
import { ArchiveService } from './archive.service.js';

@Module({ imports: [NotificationModule, QueueModule], providers: [ArchiveService, ArchiveResolver], exports: [ArchiveService] })
export class ArchiveModule {}
