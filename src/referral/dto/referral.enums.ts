import { registerEnumType } from '@nestjs/graphql';
import { DocumentKind, ReferralStatus, RefusalReason } from '../domain/referral-state.js';

/** The referral's words (src/referral/domain/referral-state.ts) as GraphQL enums; import them from here in dto and resolvers. */
registerEnumType(ReferralStatus, { name: 'ReferralStatus' });
registerEnumType(DocumentKind, { name: 'DocumentKind' });
registerEnumType(RefusalReason, { name: 'RefusalReason' });

export { DocumentKind, ReferralStatus, RefusalReason };
