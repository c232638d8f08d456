import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for tests that run the built server (`node dist/src/main.js`) as a child process. */

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const MAIN = join(ROOT, 'dist/src/main.js');
export const TOKEN_CLI = join(ROOT, 'dist/src/auth/token.cli.js');

function newestSource(dir: string): { file: string; mtime: number } {
  let best = { file: '', mtime: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      const b = newestSource(p);
      if (b.mtime > best.mtime) best = b;
    } else if (!entry.name.endsWith('.spec.ts')) {
      const m = statSync(p).mtimeMs;
      if (m > best.mtime) best = { file: p, mtime: m };
    }
  }
  return best;
}

/** Compiled file for a source file (templates are copied as they are). */
function distOf(src: string): string {
  const rel = relative(ROOT, src);
  return join(ROOT, 'dist', rel.endsWith('.ts') ? `${rel.slice(0, -3)}.js` : rel);
}

/**
 * Runs `npm run build` when dist/ is missing or older than a file under src/. A type error elsewhere
 * does not stop tsc from emitting, so a failed build with a complete dist/ only warns (the typecheck
 * step of `npm test` reports it); a build that produced no server throws.
 */
export function ensureBuilt(): void {
  const newest = newestSource(join(ROOT, 'src'));
  const target = distOf(newest.file);
  const stale = !existsSync(MAIN) || !existsSync(target) || statSync(target).mtimeMs < newest.mtime;
  if (!stale) return;
  try {
    execSync('npm run -s build', { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
  } catch (e) {
    const out = `${String((e as { stdout?: Buffer }).stdout ?? '')}${String((e as { stderr?: Buffer }).stderr ?? '')}`;
    if (!existsSync(MAIN) || !existsSync(TOKEN_CLI)) {
      throw new Error(`npm run build failed:\n${out}`);
    }
    console.warn(`npm run build reported errors (dist/ was emitted anyway):\n${out.slice(0, 2000)}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A controlled environment: only PATH plus what the test gives. Never the parent's NODE_OPTIONS
 * (jest's --experimental-vm-modules would print a warning on stderr) nor its DATABASE_URL.
 */
export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn' };
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
}

/** Runs a built entry point to completion (killed after `timeoutMs`). */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [script, ...args], {
      env,
      cwd: env.DATA_DIR ?? tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', rej);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  startedAt: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** ms from spawn to the first 200 from GET /health (throws if the process dies or time runs out). */
  waitHealthy(timeoutMs?: number): Promise<number>;
  /** Resolves when stdout contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<number>;
  /** Resident set size of the server process, MiB (/proc/<pid>/status VmRSS). */
  rssMiB(): number;
  /** CPU time (user + system) the server process has used so far, ms: boot cost independent of load. */
  cpuMs(): number;
  /** Sends `signal` and waits up to `timeoutMs` for the exit (SIGKILL after that, and throws). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit & { ms: number }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Spawns `node dist/src/main.js` on `env.PORT` with cwd = DATA_DIR (nothing is written in the checkout). */
export function startServer(env: NodeJS.ProcessEnv): ServerProcess {
  const port = Number(env.PORT);
  const startedAt = Date.now();
  const child = spawn(process.execPath, [MAIN], {
    env,
    cwd: env.DATA_DIR ?? tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((res) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      res(exit);
    });
  });
  const died = (): Error =>
    new Error(`server exited (${JSON.stringify(exit)}) before it was ready\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`);
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    pid: child.pid!,
    port,
    url,
    startedAt,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitHealthy(timeoutMs = 120_000) {
      while (Date.now() - startedAt < timeoutMs) {
        if (exit) throw died();
        try {
          const r = await fetch(`${url}/health`);
          if (r.status === 200) return Date.now() - startedAt;
        } catch {
          // not listening yet
        }
        await sleep(25);
      }
      throw new Error(`no 200 from ${url}/health within ${timeoutMs} ms\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`);
    },
    async waitForOutput(text, timeoutMs = 120_000) {
      while (Date.now() - startedAt < timeoutMs) {
        if (out.includes(text)) return Date.now() - startedAt;
        if (exit) throw died();
        await sleep(25);
      }
      throw new Error(`"${text}" not printed within ${timeoutMs} ms\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`);
    },
    rssMiB() {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (!m) throw new Error('no VmRSS');
      return Math.round(Number(m[1]) / 1024);
    },
    cpuMs() {
      // /proc/<pid>/stat: fields after "(comm)"; utime and stime are the 12th and 13th, in 1/100 s.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async stop(signal = 'SIGINT', timeoutMs = 15_000) {
      const t0 = Date.now();
      if (exit) return { ...(exit as Exit), ms: 0 };
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((res) => (timer = setTimeout(() => res(null), timeoutMs)));
      const result = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (!result) {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`server did not exit within ${timeoutMs} ms of ${signal}\nstdout:\n${out.slice(-3000)}`);
      }
      return { ...result, ms: Date.now() - t0 };
    },
  };
}

/** POST /graphql against a spawned server. */
export async function gqlAt<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}
