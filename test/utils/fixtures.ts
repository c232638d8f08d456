import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { ok, type TestApp } from './app.js';

let serial = 1;
export const nextSerial = (): number => serial++;

export const LOCALITY = '751110000';

export async function createOrg(t: TestApp, name = `Balapan ${serial}`, locality = LOCALITY): Promise<string> {
  const d = ok(
    await t.gql(
      `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
      { i: { name, bin: makeBin('2003', 1000 + nextSerial()), locality } },
      t.admin,
    ),
  );
  return d.createOrganization.id as string;
}

export interface ChildSpec {
  birthDate?: string;
  applicantIin?: string;
  phone?: string;
  locality?: string;
  organizationIds?: string[];
  language?: string;
  priorityCategories?: string[];
  notificationLanguage?: 'kk' | 'ru';
  siblingsOf?: string;
  workModes?: string[];
  groupType?: string;
  desiredAdmissionDate?: string;
  acceptsTemporaryStay?: boolean;
}

export function applicationInput(spec: ChildSpec = {}): Record<string, unknown> {
  const n = nextSerial();
  return {
    childIin: makeIin(spec.birthDate ?? '2023-03-10', n % 2 ? 'M' : 'F', n),
    childName: `Child ${n}`,
    applicantIin: spec.applicantIin ?? makeIin('1990-01-01', 'F', n),
    phone: spec.phone ?? `+7701${String(5000000 + n).padStart(7, '0')}`,
    locality: spec.locality ?? LOCALITY,
    organizationIds: spec.organizationIds ?? [],
    language: spec.language ?? 'KK',
    desiredAdmissionDate: spec.desiredAdmissionDate ?? '2025-09-01',
    priorityCategories: spec.priorityCategories ?? [],
    notificationLanguage: spec.notificationLanguage ?? 'kk',
    ...(spec.siblingsOf ? { siblingsOf: spec.siblingsOf } : {}),
    ...(spec.workModes ? { workModes: spec.workModes } : {}),
    ...(spec.groupType ? { groupType: spec.groupType } : {}),
    ...(spec.acceptsTemporaryStay !== undefined ? { acceptsTemporaryStay: spec.acceptsTemporaryStay } : {}),
  };
}

export async function register(
  t: TestApp,
  spec: ChildSpec = {},
  token = t.admin,
): Promise<{ id: string; number: string; applicantIin: string }> {
  const d = ok(
    await t.gql(
      `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number applicantIin } }`,
      { i: applicationInput(spec) },
      token,
    ),
  );
  return d.registerApplication;
}

export async function publish(t: TestApp, organizationId: string, extra: Record<string, unknown> = {}, token = t.admin): Promise<string[]> {
  const d = ok(
    await t.gql(
      `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`,
      {
        i: [
          {
            organizationId,
            ageGroup: 'Middle',
            language: 'KK',
            ageFromMonths: 12,
            ageToMonths: 60,
            groupType: 'GENERAL',
            workMode: 'FULL_DAY',
            admissionMode: 'GENERAL',
            admissionStartDate: '2026-09-01',
            count: 1,
            ...extra,
          },
        ],
      },
      token,
    ),
  );
  return d.publishVacancies.map((v: { id: string }) => v.id);
}

export async function advance(t: TestApp, to: string): Promise<void> {
  ok(await t.gql(`mutation($to: DateTime!) { advanceClock(to: $to) }`, { to }, t.admin));
}

export async function count(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const r: { n: number }[] = await t.ds.query(`SELECT (${sql})::int AS n`, params);
  return r[0].n;
}

/** Ledger event types recorded for one entity id, in ledger order. */
export async function ledgerTypes(t: TestApp, entityId: string): Promise<string[]> {
  const rows: { type: string }[] = await t.ds.query(`SELECT type FROM ledger_event WHERE entity_id = $1 ORDER BY seq`, [entityId]);
  return rows.map((r) => r.type);
}

/** Notification stages recorded for one application, in order of creation. */
export async function notificationStages(t: TestApp, applicationId: string): Promise<string[]> {
  const rows: { stage: string }[] = await t.ds.query(
    `SELECT stage FROM notification WHERE application_id = $1 ORDER BY created_at, stage`,
    [applicationId],
  );
  return rows.map((r) => r.stage);
}

/**
 * Moves the simulated clock WITHOUT running the daily tasks: a worker that is down while the API
 * keeps serving. The next `advance` catches up on everything due in between, in time order.
 */
export async function setClock(t: TestApp, to: string): Promise<void> {
  const { ClockService } = await import('../../src/platform/clock/clock.service.js');
  await t.app.get(ClockService).setSimulated(new Date(to));
}

/** An ORG_STAFF token of one organization. */
export const staffOf = (t: TestApp, organizationId: string): string => t.token({ role: 'ORG_STAFF', organizationId });

/** An APPLICANT token for the applicant's IIN. */
export const applicantOf = (t: TestApp, app: { applicantIin: string }): string => t.token({ role: 'APPLICANT', iin: app.applicantIin });
