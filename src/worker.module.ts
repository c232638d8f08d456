import { Module } from '@nestjs/common';
import { WorkerBootstrap } from './platform/jobs/worker-bootstrap.service.js';

/** Only the worker imports this: it turns registered job handlers into running BullMQ workers. */
@Module({ providers: [WorkerBootstrap] })
export class WorkerModule {}
