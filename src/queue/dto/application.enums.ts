import { registerEnumType } from '@nestjs/graphql';
import { ApplicationStatus, ClaimStatus } from '../domain/vocabulary.js';

/** The application's words (src/queue/domain/vocabulary.ts) as GraphQL enums; import them from here in dto and resolvers. */
registerEnumType(ApplicationStatus, { name: 'ApplicationStatus' });
registerEnumType(ClaimStatus, { name: 'ClaimStatus' });

export { ApplicationStatus, ClaimStatus };
