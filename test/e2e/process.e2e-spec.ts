import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { signToken } from '../../src/auth/jwt.js';
import { makeBin } from '../../src/platform/identifiers/iin.js';
import {
  childEnv,
  ensureBuilt,
  freePort,
  gqlAt,
  isListening,
  runNode,
  startServer,
  tempDir,
  TOKEN_CLI,
  MAIN,
  type ServerProcess,
} from '../utils/process.js';

/**
 * Foundation, points 2, 4, 5, 13: the built server (`node dist/src/main.js`) as a real process.
 * Bad configuration stops it with one line; it boots on a DATABASE_URL and on its embedded PostgreSQL,
 * answers /health, stops cleanly on SIGINT (embedded PostgreSQL included) and keeps its data;
 * ROLE=worker does not listen, ROLE=api does; the token CLI signs tokens the server accepts.
 */

const SECRET = 'process-test-secret-0123456789-abcdef';
const CREATE_ORG = `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id name } }`;
const READ_ORG = `query($id: ID!) { organization(id: $id) { id name bin } }`;

const run = process.env.KEZEK_TEST_RUN ?? 'local';
const prefixes: string[] = [];
const dirs: string[] = [];
const servers: ServerProcess[] = [];

function jobsPrefix(tag: string): string {
  const p = `p${run}${process.pid}${tag}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!prefixes.includes(p)) prefixes.push(p);
  return p;
}

function dataDir(): string {
  const d = tempDir('kezek-proc-');
  dirs.push(d);
  return d;
}

function spawnServer(env: NodeJS.ProcessEnv): ServerProcess {
  const s = startServer(env);
  servers.push(s);
  return s;
}

/** Processes whose command line mentions `text` (e.g. a postgres started with `-D <dir>/pg`). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function report(what: string, healthMs: number, s: ServerProcess): void {
  const self = /ready in (\d+) ms/.exec(s.stdout())?.[1];
  console.log(
    `[boot] ${what}: spawn → first 200 from /health ${healthMs} ms` +
      (self ? ` (server's own count from main(): ${self} ms)` : '') +
      `, RSS ${s.rssMiB()} MiB, CPU ${s.cpuMs()} ms (load ${loadavg()[0].toFixed(1)})`,
  );
}

async function expectCleanStop(s: ServerProcess): Promise<void> {
  const stopped = await s.stop('SIGINT', 15_000);
  expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
  expect(stopped.ms).toBeLessThan(15_000);
}

const org = (n: number): Record<string, string> => ({
  name: `Process test ${n}`,
  bin: makeBin('2004', 700 + n),
  locality: '751110000',
});

beforeAll(() => {
  ensureBuilt();
}, 200_000);

afterAll(async () => {
  for (const s of servers) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGKILL');
      await s.exited;
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (process.env.REDIS_URL && prefixes.length) {
    const redis = new Redis(process.env.REDIS_URL);
    for (const p of prefixes) {
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `${p}:*`, count: 500 }) as AsyncIterable<string[]>) {
        keys.push(...batch);
      }
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
  }
});

describe('bad configuration: exit code 1 and exactly one line on stderr', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['PORT=abc', { PORT: 'abc' }, /^Invalid configuration: PORT must be an integer/],
    ['PORT=70000', { PORT: '70000' }, /^Invalid configuration: PORT must be an integer/],
    [
      'NODE_ENV=production without JWT_SECRET',
      { NODE_ENV: 'production' },
      /^Invalid configuration: JWT_SECRET is required when NODE_ENV=production$/,
    ],
    ['a short JWT_SECRET', { JWT_SECRET: 'short' }, /^Invalid configuration: JWT_SECRET must be at least 32 characters$/],
    ['ROLE=everything', { ROLE: 'everything' }, /^Invalid configuration: ROLE must be one of/],
    ['DATABASE_URL=not-a-url', { DATABASE_URL: 'not-a-url' }, /^Invalid configuration: DATABASE_URL must be a postgres/],
    [
      'an unreachable DATABASE_URL',
      { DATABASE_URL: 'postgres://u@127.0.0.1:1/x' },
      /^Cannot connect to the database at 127\.0\.0\.1:1\/x: .*ECONNREFUSED/,
    ],
    ['an unreachable REDIS_URL', { REDIS_URL: 'redis://127.0.0.1:1' }, /^Cannot connect to Redis at 127\.0\.0\.1:1: .*ECONNREFUSED/],
  ];
  it.each(cases)(
    '%s',
    async (_name, vars, message) => {
      const r = await runNode(
        MAIN,
        [],
        childEnv({
          DATA_DIR: dataDir(),
          PORT: String(await freePort()),
          EMBEDDED_PG_PORT: String(await freePort()),
          ...vars,
        }),
      );
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    },
    90_000,
  );

  it('embedded PostgreSQL whose port is taken', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((res) => blocker.listen(port, '127.0.0.1', res));
    try {
      const dir = dataDir();
      const r = await runNode(
        MAIN,
        [],
        childEnv({ DATA_DIR: dir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(port) }),
        60_000,
      );
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`embedded PostgreSQL did not start on port ${port}`));
      expect(processesMentioning(join(dir, 'pg'))).toEqual([]);
    } finally {
      await new Promise((res) => blocker.close(res));
    }
  }, 90_000);
});

describe('on a DATABASE_URL (REDIS_URL when set)', () => {
  let databaseUrl: string;
  const base = (): Record<string, string | undefined> => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL,
    JWT_SECRET: SECRET,
    JOBS_PREFIX: jobsPrefix('u'),
  });
  let dir: string;

  beforeAll(async () => {
    const adminUrl = process.env.KEZEK_TEST_ADMIN_URL;
    if (!adminUrl) throw new Error('test/global-setup.ts did not run');
    const db = `kezek_p_${run}_${process.pid}`; // dropped by global-teardown (name has the run id)
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${db}`;
    databaseUrl = u.toString();
    dir = dataDir();
  });

  let orgId: string;

  it('first start migrates an empty database, /health answers 200, SIGINT exits 0', async () => {
    const s = spawnServer(childEnv({ ...base(), DATA_DIR: dir, PORT: String(await freePort()) }));
    const ms = await s.waitHealthy();
    report(`DATABASE_URL${process.env.REDIS_URL ? ' + REDIS_URL' : ''}, first start (migrations)`, ms, s);
    const health = (await (await fetch(`${s.url}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const created = await gqlAt(s.url, CREATE_ORG, { i: org(1) }, signToken(SECRET, { sub: 'p', role: 'ADMIN' }));
    expect(created.errors).toBeUndefined();
    orgId = created.data!.createOrganization.id;
    await expectCleanStop(s);
  }, 240_000);

  it('second start keeps the data; token CLI signs with JWT_SECRET; a foreign secret is refused', async () => {
    const s = spawnServer(childEnv({ ...base(), DATA_DIR: dir, PORT: String(await freePort()) }));
    const ms = await s.waitHealthy();
    report(`DATABASE_URL${process.env.REDIS_URL ? ' + REDIS_URL' : ''}, restart`, ms, s);
    const read = await gqlAt(s.url, READ_ORG, { id: orgId });
    expect(read.data!.organization).toMatchObject({ id: orgId, name: 'Process test 1' });

    const cli = await runNode(TOKEN_CLI, ['--role', 'ADMIN'], childEnv({ DATA_DIR: dir, JWT_SECRET: SECRET }));
    expect(cli.code).toBe(0);
    const token = cli.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const created = await gqlAt(s.url, CREATE_ORG, { i: org(2) }, token);
    expect(created.errors).toBeUndefined();
    expect(created.data!.createOrganization.name).toBe('Process test 2');

    const foreign = await runNode(
      TOKEN_CLI,
      ['--role', 'ADMIN'],
      childEnv({ DATA_DIR: dir, JWT_SECRET: 'another-secret-0123456789-0123456789' }),
    );
    const refused = await gqlAt(s.url, CREATE_ORG, { i: org(3) }, foreign.stdout.trim());
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await expectCleanStop(s);
  }, 240_000);

  it('ROLE=worker runs without an HTTP port; ROLE=api serves HTTP beside it', async () => {
    const workerPort = await freePort();
    const worker = spawnServer(childEnv({ ...base(), DATA_DIR: dir, PORT: String(workerPort), ROLE: 'worker' }));
    await worker.waitForOutput('kezek worker ready');
    const api = spawnServer(childEnv({ ...base(), DATA_DIR: dir, PORT: String(await freePort()), ROLE: 'api' }));
    const ms = await api.waitHealthy();
    report('ROLE=api on DATABASE_URL', ms, api);
    console.log(`[boot] ROLE=worker on DATABASE_URL: RSS ${worker.rssMiB()} MiB`);
    expect(await isListening(workerPort)).toBe(false);
    const r = await gqlAt(api.url, '{ now }');
    expect(typeof r.data!.now).toBe('string');
    await expectCleanStop(api);
    await expectCleanStop(worker);
  }, 240_000);

  it('an HTTP port in use: exit 1 with one line', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((res) => blocker.listen(port, '0.0.0.0', res));
    try {
      const r = await runNode(MAIN, [], childEnv({ ...base(), DATA_DIR: dir, PORT: String(port) }), 90_000);
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^Cannot listen on port ${port}: .*EADDRINUSE`))]);
    } finally {
      await new Promise((res) => blocker.close(res));
    }
  }, 240_000);

  it('token CLI: APPLICANT needs --iin, an unknown role is refused', async () => {
    const env = childEnv({ DATA_DIR: dir, JWT_SECRET: SECRET });
    const applicant = await runNode(TOKEN_CLI, ['--role', 'APPLICANT'], env);
    expect(applicant.code).not.toBe(0);
    expect(applicant.stdout).toBe('');
    expect(applicant.stderr).toMatch(/--iin/);
    const unknown = await runNode(TOKEN_CLI, ['--role', 'ROOT'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--role must be one of/);
    const staff = await runNode(TOKEN_CLI, ['--role', 'ORG_STAFF'], env);
    expect(staff.code).not.toBe(0);
    expect(staff.stderr).toMatch(/--org/);
  }, 120_000);
});

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  let dir: string;
  let pgPort: number;
  let orgId: string;
  const env = async (extra: Record<string, string | undefined>): Promise<NodeJS.ProcessEnv> =>
    childEnv({
      DATA_DIR: dir,
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: String(await freePort()),
      REDIS_URL: process.env.REDIS_URL,
      JOBS_PREFIX: jobsPrefix('e'),
      ...extra,
    });

  beforeAll(async () => {
    dir = dataDir();
    pgPort = await freePort();
  });

  async function expectPostgresGone(): Promise<void> {
    expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(await isListening(pgPort)).toBe(false);
    expect(processesMentioning(join(dir, 'pg'))).toEqual([]);
  }

  it('first start initialises the cluster; SIGINT stops the server and its PostgreSQL', async () => {
    const s = spawnServer(await env({ JWT_SECRET: SECRET }));
    const ms = await s.waitHealthy();
    report('embedded PostgreSQL, first start (initdb + migrations)', ms, s);
    expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(true);
    expect(await isListening(pgPort)).toBe(true);
    const created = await gqlAt(s.url, CREATE_ORG, { i: org(10) }, signToken(SECRET, { sub: 'p', role: 'ADMIN' }));
    expect(created.errors).toBeUndefined();
    orgId = created.data!.createOrganization.id;
    await expectCleanStop(s);
    await expectPostgresGone();
  }, 240_000);

  it('second start on the same DATA_DIR keeps the data; generated secret shared with the token CLI', async () => {
    // No JWT_SECRET: server and CLI both use the secret generated once into DATA_DIR/jwt-secret.
    const s = spawnServer(await env({}));
    const ms = await s.waitHealthy();
    report('embedded PostgreSQL, restart', ms, s);
    const read = await gqlAt(s.url, READ_ORG, { id: orgId });
    expect(read.data!.organization).toMatchObject({ id: orgId, name: 'Process test 10' });
    expect(existsSync(join(dir, 'jwt-secret'))).toBe(true);
    const cli = await runNode(TOKEN_CLI, ['--role', 'ADMIN'], childEnv({ DATA_DIR: dir }));
    expect(cli.code).toBe(0);
    const created = await gqlAt(s.url, CREATE_ORG, { i: org(11) }, cli.stdout.trim());
    expect(created.errors).toBeUndefined();
    await expectCleanStop(s);
    await expectPostgresGone();
  }, 240_000);

  it('SIGTERM stops it cleanly too', async () => {
    const s = spawnServer(await env({ JWT_SECRET: SECRET }));
    await s.waitHealthy();
    const stopped = await s.stop('SIGTERM', 15_000);
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
    await expectPostgresGone();
  }, 240_000);
});
