import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { LabelsResolver } from './labels.resolver.js';

/** `labels(language)`: the texts each concept module keeps in its domain/labels.ts, and the categories' names. */
@Module({ imports: [QueueModule], providers: [LabelsResolver] })
export class LabelsModule {}
