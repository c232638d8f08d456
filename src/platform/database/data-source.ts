import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';
import { LOCK_KEYS } from './locks.js';

/** host:port/database of a PostgreSQL URL, for messages (never the password); `fallback` if unparsable. */
export function describeDatabaseUrl(url: string, fallback = 'DATABASE_URL'): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return fallback;
  }
}

export interface DataSourceOptions {
  /** `application_name` of the connections (pg_stat_activity). */
  applicationName?: string;
  /** Every transaction read-only (`default_transaction_read_only=on`): the read replica's pool. */
  readOnly?: boolean;
  connectTimeoutMs?: number;
  /** Server-side `statement_timeout` of every statement (ms); none when absent. */
  statementTimeoutMs?: number;
  /** TCP keep-alive on the connections, so a peer gone silent is noticed by the kernel. */
  keepAlive?: boolean;
}

export function createDataSource(url: string, poolSize = 20, opts: DataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize,
    extra: {
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      application_name: opts.applicationName ?? 'kezek',
      ...(opts.keepAlive ? { keepAlive: true, keepAliveInitialDelayMillis: 10_000 } : {}),
      ...(serverOptions(opts) ? { options: serverOptions(opts) } : {}),
    },
  });
}

/** Session settings sent with the startup message (`-c name=value`), or undefined. */
export function serverOptions(opts: DataSourceOptions): string | undefined {
  const o = [
    ...(opts.readOnly ? ['-c default_transaction_read_only=on'] : []),
    ...(opts.statementTimeoutMs ? [`-c statement_timeout=${Math.round(opts.statementTimeoutMs)}`] : []),
  ];
  return o.length ? o.join(' ') : undefined;
}

/** Runs pending migrations under an advisory lock, so processes starting together don't race. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [LOCK_KEYS.migrations]);
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [LOCK_KEYS.migrations]).catch(() => undefined);
    await runner.release();
  }
}
