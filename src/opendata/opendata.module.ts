import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { OpenDataController } from './opendata.controller.js';
import { OpenDataService } from './opendata.service.js';

/** Daily pseudonymized open data: queue order and bulletins as CSV and JSON (docs/OPEN_DATA.md). */
@Module({
  imports: [QueueModule],
  providers: [OpenDataService],
  controllers: [OpenDataController],
  exports: [OpenDataService],
})
export class OpenDataModule {}
