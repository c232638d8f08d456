import { registerEnumType } from '@nestjs/graphql';
import { AdmissionMode, BulletinKind, GroupType, VacancyStatus, WorkMode } from '../domain/vocabulary.js';

/** The place's words (src/vacancy/domain/vocabulary.ts) as GraphQL enums; import them from here in dto and resolvers. */
registerEnumType(GroupType, { name: 'GroupType' });
registerEnumType(WorkMode, { name: 'WorkMode' });
registerEnumType(AdmissionMode, { name: 'AdmissionMode' });
registerEnumType(VacancyStatus, { name: 'VacancyStatus' });
registerEnumType(BulletinKind, { name: 'BulletinKind' });

export { AdmissionMode, BulletinKind, GroupType, VacancyStatus, WorkMode };
