#!/usr/bin/env node
// `npm start` (and the other run scripts) build only when something changed since the last build.
//
//   node scripts/build-if-stale.mjs            build (npm run -s build) when dist/ is missing or older than its inputs
//   node scripts/build-if-stale.mjs --check    exit 0 when dist/ is up to date, 1 when a build is needed (says why)
//   node scripts/build-if-stale.mjs --begin    (first step of npm run build) note when this build started
//   node scripts/build-if-stale.mjs --stamp    (last step of npm run build) dist/ is now as new as its inputs were at --begin
//
// Inputs: every file under src/, scripts/, tools/, bench/ (what tsconfig.build.json compiles, plus the
// notification templates copied as they are), the tsconfig files, ormconfig.ts, package.json and
// package-lock.json. The stamp holds the START time of the last successful build, so a file saved
// during a build is still seen as newer next time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const STARTED = join(DIST, '.build-started');
const DIRS = ['src', 'scripts', 'tools', 'bench'];
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'ormconfig.ts', 'package.json', 'package-lock.json'];
const OUTPUTS = ['dist/src/main.js', 'dist/src/cli/kezek.cli.js'];

/** The newest input: { file, mtimeMs }. */
export function newestInput(root = ROOT) {
  let best = { file: '', mtimeMs: 0 };
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules' && !e.startsWith('.')) visit(join(p, e));
    } else if (st.mtimeMs > best.mtimeMs) {
      best = { file: p, mtimeMs: st.mtimeMs };
    }
  };
  for (const d of DIRS) visit(join(root, d));
  for (const f of FILES) visit(join(root, f));
  return best;
}

/** Why a build is needed, or null when dist/ is up to date. */
export function staleReason(root = ROOT) {
  for (const o of OUTPUTS) if (!existsSync(join(root, o))) return `${o} is missing`;
  const stamp = join(root, 'dist', '.build-stamp');
  if (!existsSync(stamp)) return 'no record of a complete build (dist/.build-stamp)';
  const builtAt = Number(readFileSync(stamp, 'utf8').trim());
  if (!Number.isFinite(builtAt)) return 'dist/.build-stamp is unreadable';
  const newest = newestInput(root);
  if (newest.mtimeMs > builtAt) return `${newest.file.slice(root.length + 1)} changed since the last build`;
  return null;
}

function main(argv) {
  const flag = argv[0];
  if (flag === '--begin') {
    mkdirSync(DIST, { recursive: true });
    rmSync(STAMP, { force: true });
    writeFileSync(STARTED, `${Date.now()}\n`);
    return 0;
  }
  if (flag === '--stamp') {
    const started = existsSync(STARTED) ? readFileSync(STARTED, 'utf8') : `${Date.now()}\n`;
    writeFileSync(STAMP, started);
    rmSync(STARTED, { force: true });
    return 0;
  }
  const why = staleReason();
  if (flag === '--check') {
    process.stdout.write(why ? `build needed: ${why}\n` : 'dist/ is up to date\n');
    return why ? 1 : 0;
  }
  if (!why) return 0;
  process.stderr.write(`building (${why})…\n`);
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status ?? 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
