import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createKezekApp } from '../../src/app.factory.js';
import { signToken, type TokenClaims } from '../../src/auth/jwt.js';
import { boot, type BootContext } from '../../src/platform/boot.js';
import { createDataSource, runMigrations } from '../../src/platform/database/data-source.js';
import { COUNT_DRIFT } from './invariants.js';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret';

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export interface TestApp {
  url: string;
  ds: DataSource;
  ctx: BootContext;
  app: INestApplication;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  token(claims: Partial<TokenClaims> & Pick<TokenClaims, 'role'>): string;
  admin: string;
  close(): Promise<void>;
}

let counter = 0;

function dbUrl(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Runs the real migrations into the template once (advisory-locked; a no-op when up to date). */
async function migrateTemplate(adminUrl: string, template: string): Promise<void> {
  const ds = createDataSource(dbUrl(adminUrl, template), 3);
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}

/** A fresh database cloned from the migrated template, and the whole app (API + workers) on it. */
export async function createTestApp(opts: { simulation?: string; env?: Record<string, string>; worker?: boolean } = {}): Promise<TestApp> {
  const adminUrl = process.env.KEZEK_TEST_ADMIN_URL;
  const template = process.env.KEZEK_TEST_TEMPLATE;
  const run = process.env.KEZEK_TEST_RUN;
  if (!adminUrl || !template || !run) throw new Error('test/global-setup.ts did not run');
  const db = `kezek_t_${run}_${process.pid}_${++counter}`;
  await migrateTemplate(adminUrl, template);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db} TEMPLATE ${template}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    DATABASE_URL: u.toString(),
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'kezek-data-')),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JOBS_PREFIX: `t${run}${process.pid}${counter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(opts.simulation ? { SIMULATION: '1', SIMULATION_START: opts.simulation } : {}),
    ...(opts.worker === false ? { ROLE: 'api' } : {}),
    // Suites fire requests far faster than people do: the per-address limit has its own test (limits.e2e-spec.ts).
    RATE_LIMIT_PER_MINUTE: '100000',
    ...opts.env,
  };
  const ctx = await boot(env);
  const app = (await createKezekApp(ctx, opts.worker === false ? 'api' : 'all')) as INestApplication;
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const token = (claims: Partial<TokenClaims> & Pick<TokenClaims, 'role'>): string =>
    signToken(TEST_JWT_SECRET, { sub: `${claims.role.toLowerCase()}-test`, ...claims });
  return {
    url,
    ds: ctx.dataSource,
    ctx,
    app,
    token,
    admin: token({ role: 'ADMIN' }),
    async gql(query, variables, tok) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GqlResult<never>;
      return { ...body, status: res.status };
    },
    async close() {
      // Every suite ends by checking that the maintained queue counts (queue positions) equal a recount of
      // whatever the suite did to the applications.
      const drift: unknown[] = await ctx.dataSource.query(COUNT_DRIFT);
      await app.close();
      await ctx.shutdown();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await a.end();
      if (drift.length) throw new Error(`queue counts drifted from the rows: ${JSON.stringify(drift.slice(0, 5))}`);
    },
  };
}

/** Asserts no errors and returns data. */
export function ok<T>(r: GqlResult<T>): T {
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  if (!r.data) throw new Error(`no data (HTTP ${r.status})`);
  return r.data;
}

export function errorCode(r: GqlResult<unknown>): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}
