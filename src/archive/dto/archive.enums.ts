import { registerEnumType } from '@nestjs/graphql';
import { ArchiveReason } from '../domain/archive-reason.js';

/** Why an application left the queue (src/archive/domain/archive-reason.ts) as a GraphQL enum. */
registerEnumType(ArchiveReason, { name: 'ArchiveReason' });

export { ArchiveReason };
