import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, type EnvConfig } from './config/config.js';
import { resolveJwtSecret } from './config/jwt-secret.js';
import { createDataSource, describeDatabaseUrl, runMigrations } from './database/data-source.js';
import { ReadDataSource } from './database/read-data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';

export interface BootContext {
  config: EnvConfig;
  databaseUrl: string;
  dataSource: DataSource;
  /** Lag-tolerant public reads: the replica of DATABASE_READ_URL, else the primary (`dataSource`). */
  readDataSource: ReadDataSource;
  jwtSecret: string;
  embedded: EmbeddedDatabase | null;
  /** Stops the database connections and the embedded server (if ours). */
  shutdown(): Promise<void>;
}

/**
 * Fails fast on an unreachable REDIS_URL: BullMQ would otherwise retry forever while Nest still
 * buffers its logs, so the process would hang at start without a word.
 */
async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let cause: Error | undefined; // the socket error; connect() itself only says "Connection is closed."
  redis.on('error', (e: Error) => (cause ??= e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    let where = 'REDIS_URL';
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || 6379}`;
    } catch {
      // keep the variable's name
    }
    const why = (cause ?? (e as Error)).message.split('\n')[0];
    throw new ConfigError(`Cannot connect to Redis at ${where}: ${why}`);
  } finally {
    redis.disconnect();
  }
}

/** Everything that must exist before Nest starts: config, Redis (if set), database (embedded or not), migrations. */
export async function boot(env: NodeJS.ProcessEnv = process.env, log: (m: string) => void = () => undefined): Promise<BootContext> {
  const config = loadConfig(env);
  if (config.REDIS_URL) await checkRedis(config.REDIS_URL);
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const port = Number(env.EMBEDDED_PG_PORT ?? 54329);
    log(`starting embedded PostgreSQL on 127.0.0.1:${port}, data in ${resolve(config.DATA_DIR, 'pg')}`);
    embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port,
      database: 'kezek',
      stateRoot: env.EMBEDDED_PG_HOME || undefined,
      onLog: log,
    });
    databaseUrl = embedded.url;
  }
  const statementTimeoutMs = config.ROLE === 'worker' ? config.WORKER_STATEMENT_TIMEOUT_MS : config.STATEMENT_TIMEOUT_MS;
  const dataSource = createDataSource(databaseUrl, undefined, { statementTimeoutMs: statementTimeoutMs || undefined });
  try {
    await dataSource.initialize();
  } catch (e) {
    await embedded?.stop();
    throw new ConfigError(`Cannot connect to the database at ${describeDatabaseUrl(databaseUrl)}: ${(e as Error).message.split('\n')[0]}`);
  }
  const applied = await runMigrations(dataSource);
  if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
  const jwtSecret = resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR);
  const readDataSource = await ReadDataSource.open(dataSource, config.DATABASE_READ_URL, log);
  let down = false;
  return {
    config,
    databaseUrl,
    dataSource,
    readDataSource,
    jwtSecret,
    embedded,
    async shutdown() {
      if (down) return;
      down = true;
      await readDataSource.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
