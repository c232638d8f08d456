import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventHash, blockHash, merkleRoot, ZERO_HASH } from '../../src/ledger/domain/hashing.js';
import {
  consistencyProof,
  eventLeafHash,
  extendTree,
  naiveRoot,
  nodeMap,
  treeHeadText,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/domain/merkle.js';
import { LedgerSealerService, SEAL_LOCK_KEY } from '../../src/ledger/ledger-sealer.service.js';
import { isoFromMicros } from '../../src/ledger/ledger-verifier.service.js';
import { TreeHeadSigner } from '../../src/ledger/tree-head-signer.js';
import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';

const ROOT = process.cwd();

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('node', args, { cwd: ROOT, env: process.env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

interface Signed {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}
const HEAD = `{ ledgerHead { length headHash signed { treeSize rootHash timestamp keyId signature } } }`;
const KEYS = `{ ledgerKeys { keyId algorithm publicKey validFrom validUntil } }`;

describe('ledger trust: signed Merkle tree heads, append-only tables, witnesses that catch a rewrite', () => {
  let t: TestApp;
  let serial = 300;
  const dir = mkdtempSync(join(tmpdir(), 'kezek-witness-'));
  const iin = makeIin('1988-02-02', 'F', 77);
  let applicationId: string;

  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => ((await t.ds.query(sql, params)) as T[])[0];
  const createOrgs = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      ok(
        await t.gql(
          `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
          { i: { name: `Trust ${serial}`, bin: makeBin('2007', serial++), locality: '751110000' } },
          t.admin,
        ),
      );
    }
  };
  const head = async (): Promise<{ length: number; signed: Signed }> => ok(await t.gql(HEAD)).ledgerHead;
  /** Every sealed event as the tree hashes it, in seq order. */
  const leaves = async (): Promise<string[]> => {
    const rows: { at: string; type: string; entity: string; entity_id: string; actor: string; data: unknown }[] = await t.ds.query(
      `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at, type, entity, entity_id, actor, data
       FROM ledger_event WHERE block_seq IS NOT NULL ORDER BY seq`,
    );
    return rows.map((r) =>
      eventLeafHash({ at: isoFromMicros(r.at), type: r.type, entity: r.entity, entityId: r.entity_id, actor: r.actor, data: r.data }),
    );
  };

  beforeAll(async () => {
    t = await createTestApp();
    await createOrgs(5);
    ok(
      await t.gql(
        `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
        {
          i: {
            childIin: makeIin('2023-05-05', 'M', 12),
            childName: 'Trust Child',
            applicantIin: iin,
            phone: '+77011234500',
            locality: '751110000',
            language: 'KK',
            desiredAdmissionDate: '2026-09-01',
          },
        },
        t.token({ role: 'APPLICANT', iin }),
      ),
    );
    applicationId = (await one<{ id: string }>(`SELECT id FROM application WHERE applicant_iin = $1`, [iin])).id;
    await createOrgs(2);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ledgerHead is signed (Ed25519 over the exact text) by a published key; the root is RFC 9162 over every sealed event', async () => {
    const h = await head();
    const keys = ok(await t.gql(KEYS)).ledgerKeys as { keyId: string; algorithm: string; publicKey: string; validUntil: string | null }[];
    const key = keys.find((k) => k.keyId === h.signed.keyId)!;
    expect(key).toMatchObject({ algorithm: 'Ed25519', validUntil: null });
    expect(key.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(h.signed.timestamp).toMatch(/\+05:00$/);
    const text = `kezek-tree-head-v1\n${h.signed.treeSize}\n${h.signed.rootHash}\n${h.signed.timestamp}`;
    expect(treeHeadText(h.signed)).toBe(text);
    expect(verify(null, Buffer.from(text), createPublicKey(key.publicKey), Buffer.from(h.signed.signature, 'base64'))).toBe(true);
    expect(h.signed.treeSize).toBe(h.length);
    const all = await leaves();
    expect(all).toHaveLength(h.signed.treeSize);
    expect(h.signed.rootHash).toBe(naiveRoot(all));
    // Stored: every complete subtree once (about 2n rows), so heads and proofs read O(log n) of them.
    const nodes = await one<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_tree_node`);
    expect(nodes.n).toBeLessThan(2 * all.length);
  });

  it('ledgerConsistency and the inclusion proofs of ledgerProof verify against signed heads; bad sizes are refused', async () => {
    const before = (await head()).signed;
    await createOrgs(3);
    const after = (await head()).signed;
    expect(after.treeSize).toBeGreaterThan(before.treeSize);
    const c = ok(
      await t.gql(`query($f: Int!) { ledgerConsistency(fromSize: $f) { fromSize toSize hashes } }`, { f: before.treeSize }),
    ).ledgerConsistency;
    expect(c).toMatchObject({ fromSize: before.treeSize, toSize: after.treeSize });
    expect(verifyConsistency(before.treeSize, after.treeSize, before.rootHash, after.rootHash, c.hashes)).toBe(true);
    const all = await leaves();
    expect(c.hashes).toEqual(consistencyProof(nodeMap(extendTree(0, all, nodeMap([]))), before.treeSize, after.treeSize));
    expect(treeRoot(nodeMap(extendTree(0, all, nodeMap([]))), after.treeSize)).toBe(after.rootHash);
    for (const [f, to, field] of [
      [-1, null, 'fromSize'],
      [5, 3, 'fromSize'],
      [0, after.treeSize + 1000, 'toSize'],
    ] as const) {
      const r = await t.gql(`query($f: Int!, $t: Int) { ledgerConsistency(fromSize: $f, toSize: $t) { hashes } }`, { f, t: to });
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.field).toBe(field);
    }
    const owner = t.token({ role: 'APPLICANT', iin });
    const proofs = ok(
      await t.gql(
        `query($id: ID!, $s: Int) { ledgerProof(applicationId: $id, treeSize: $s) { seq type at entity entityId actor data leafIndex treeSize inclusion } }`,
        { id: applicationId, s: after.treeSize },
        owner,
      ),
    ).ledgerProof as {
      at: string;
      type: string;
      entity: string;
      entityId: string;
      actor: string;
      data: string;
      leafIndex: number;
      treeSize: number;
      inclusion: string[];
    }[];
    expect(proofs.length).toBeGreaterThan(0);
    for (const p of proofs) {
      const leaf = eventLeafHash({
        at: p.at,
        type: p.type,
        entity: p.entity,
        entityId: p.entityId,
        actor: p.actor,
        data: JSON.parse(p.data),
      });
      expect(p.treeSize).toBe(after.treeSize);
      expect(verifyInclusion(leaf, p.leafIndex, p.treeSize, p.inclusion, after.rootHash)).toBe(true);
    }
  });

  it('open-data JSON files carry the signed head (verifiable with ledgerKeys); the CSV columns are unchanged', async () => {
    const today = new Date(Date.now() + 5 * 3600_000).toISOString().slice(0, 10);
    const res = await fetch(`${t.url}/opendata/${today}/queues.json`);
    expect(res.status).toBe(200);
    const file = (await res.json()) as { ledgerLength: number; signedHead: Signed };
    expect(file.signedHead.treeSize).toBe(file.ledgerLength);
    const keys = ok(await t.gql(KEYS)).ledgerKeys as { keyId: string; publicKey: string }[];
    const pem = keys.find((k) => k.keyId === file.signedHead.keyId)!.publicKey;
    const sig = Buffer.from(file.signedHead.signature, 'base64');
    expect(verify(null, Buffer.from(treeHeadText(file.signedHead)), createPublicKey(pem), sig)).toBe(true);
    const csv = await (await fetch(`${t.url}/opendata/${today}/queues.csv`)).text();
    expect(csv.split('\n')[0]).not.toMatch(/signed|root/i);
  });

  it('the ledger tables are append-only in the database: UPDATE, DELETE and TRUNCATE are refused, nothing changes', async () => {
    const e = await one<{ seq: string; actor: string }>(`SELECT seq, actor FROM ledger_event ORDER BY seq LIMIT 1`);
    for (const sql of [
      `UPDATE ledger_event SET actor = 'ADMIN:mallory' WHERE seq = ${e.seq}`,
      `DELETE FROM ledger_event WHERE seq = ${e.seq}`,
      `TRUNCATE ledger_event CASCADE`,
      `UPDATE ledger_block SET merkle_root = repeat('a', 64)`,
      `DELETE FROM ledger_block`,
      `UPDATE ledger_tree_node SET hash = repeat('a', 64) WHERE level = 0`,
      `DELETE FROM ledger_tree_head`,
      `UPDATE ledger_key SET public_key = 'x'`,
      `TRUNCATE ledger_tree_node`,
    ]) {
      await expect(t.ds.query(sql)).rejects.toThrow(/ledger is append-only/);
    }
    expect((await one<{ actor: string }>(`SELECT actor FROM ledger_event WHERE seq = $1`, [e.seq])).actor).toBe(e.actor);
    // Only the sealer's mark of an unsealed event (block_seq NULL → a block) passes, and only alone.
    await expect(t.ds.query(`UPDATE ledger_event SET block_seq = block_seq + 1 WHERE seq = $1`, [e.seq])).rejects.toThrow(/append-only/);
    expect(ok(await t.gql(`{ ledgerVerify { valid } }`)).ledgerVerify.valid).toBe(true);
  });

  it('a key rotation keeps the old public key published; heads are then signed by the new key', async () => {
    const before = (await head()).signed;
    const keyFile = join(dir, 'rotated.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const rotated = new TreeHeadSigner({ LEDGER_SIGNING_KEY: keyFile, NODE_ENV: 'test', DATA_DIR: dir });
    expect(rotated.keyId).not.toBe(before.keyId);
    expect(() => new TreeHeadSigner({ LEDGER_SIGNING_KEY: undefined, NODE_ENV: 'production', DATA_DIR: dir })).toThrow(/required/);
    // Publishing the new key (as a restart with the new LEDGER_SIGNING_KEY does) lists both, the old one closed.
    await t.ds.transaction((em) => rotated.publish(em, new Date()));
    const keys = ok(await t.gql(KEYS)).ledgerKeys as { keyId: string; validUntil: string | null }[];
    expect(keys.find((k) => k.keyId === before.keyId)?.validUntil).not.toBeNull();
    expect(keys.find((k) => k.keyId === rotated.keyId)?.validUntil).toBeNull();
  });

  it('full database access + the signing key: an old event edited and everything recomputed → the witness reports the fork (exit 1), the parent’s kept head no longer verifies', async () => {
    const state = join(dir, 'witness.json');
    const witness = (): ReturnType<typeof run> => run(['scripts/ledger-witness.mjs', '--url', t.url, '--state', state]);
    const owner = t.token({ role: 'APPLICANT', iin });
    const kept = join(dir, 'parent-head.json');
    const prove = (extra: string[]): ReturnType<typeof run> =>
      run(['scripts/ledger-prove.mjs', '--application', applicationId, '--url', t.url, '--token', owner, ...extra]);

    // Day 1: the witness keeps a head; the parent proves the application's events and keeps the head.
    const w1 = await witness();
    expect(w1.out).toMatch(/^OK: first head kept/m);
    expect(w1.code).toBe(0);
    const p1 = await prove(['--save-head', kept]);
    expect(p1.out).toMatch(/^OK {3}#\d+ application\.registered/m);
    expect(p1.code).toBe(0);
    // Honest growth: both still agree.
    await createOrgs(2);
    const w2 = await witness();
    expect(w2.out).toMatch(/consistent with the kept head/);
    expect(w2.code).toBe(0);
    const p2 = await prove(['--head', kept]);
    expect(p2.out).toMatch(/OK {3}the kept head .* is a prefix of the current head/);
    expect(p2.code).toBe(0);

    // The operator rewrites history: the application's registration gets a different priority class,
    // and every derived value the database holds is recomputed: event hash, every block (Merkle root, hash,
    // chain), every tree node, a freshly signed head with the operator's own key.
    await t.app.get(LedgerSealerService).seal();
    const target = await one<{ seq: string }>(
      `SELECT seq FROM ledger_event WHERE entity = 'application' AND entity_id = $1 AND type = 'application.registered'`,
      [applicationId],
    );
    const signer = t.app.get(TreeHeadSigner);
    await t.ds.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(`SELECT pg_advisory_xact_lock($1)`, [SEAL_LOCK_KEY]); // no seal in between
      await em.query(`UPDATE ledger_event SET data = data || '{"forged": true}'::jsonb WHERE seq = $1`, [target.seq]);
      const events: {
        seq: string;
        at: string;
        type: string;
        entity: string;
        entity_id: string;
        actor: string;
        data: unknown;
        block_seq: string | null;
      }[] = await em.query(
        `SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at, type, entity, entity_id, actor, data, block_seq
           FROM ledger_event ORDER BY seq`,
      );
      for (const e of events) {
        const facts = { at: isoFromMicros(e.at), type: e.type, entity: e.entity, entityId: e.entity_id, actor: e.actor, data: e.data };
        await em.query(`UPDATE ledger_event SET hash = $2 WHERE seq = $1`, [e.seq, eventHash(facts)]);
      }
      const blocks: { seq: string; first_event: string; last_event: string; event_count: number; sealed_at: string }[] = await em.query(
        `SELECT seq, first_event, last_event, event_count, to_char(sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS sealed_at
         FROM ledger_block ORDER BY seq`,
      );
      let prev = ZERO_HASH;
      for (const b of blocks) {
        const hs: { hash: string }[] = await em.query(`SELECT hash FROM ledger_event WHERE block_seq = $1 ORDER BY seq`, [b.seq]);
        const root = merkleRoot(hs.map((h) => h.hash));
        const facts = {
          seq: Number(b.seq),
          prevHash: prev,
          merkleRoot: root,
          firstEvent: Number(b.first_event),
          lastEvent: Number(b.last_event),
          eventCount: b.event_count,
          sealedAt: isoFromMicros(b.sealed_at),
        };
        prev = blockHash(facts);
        await em.query(`UPDATE ledger_block SET prev_hash = $2, merkle_root = $3, hash = $4 WHERE seq = $1`, [
          b.seq,
          facts.prevHash,
          root,
          prev,
        ]);
      }
      const sealed = events.filter((e) => e.block_seq !== null);
      const newLeaves = sealed.map((e) =>
        eventLeafHash({ at: isoFromMicros(e.at), type: e.type, entity: e.entity, entityId: e.entity_id, actor: e.actor, data: e.data }),
      );
      const nodes = extendTree(0, newLeaves, nodeMap([]));
      await em.query(`DELETE FROM ledger_tree_node`);
      for (const n of nodes) {
        await em.query(`INSERT INTO ledger_tree_node (level, idx, hash, seq) VALUES ($1,$2,$3,$4)`, [
          n.level,
          n.index,
          n.hash,
          n.level === 0 ? sealed[n.index].seq : null,
        ]);
      }
      await em.query(`DELETE FROM ledger_tree_head`);
      const root = naiveRoot(newLeaves);
      const now = new Date();
      const h = signer.sign(newLeaves.length, root, now);
      await em.query(`INSERT INTO ledger_tree_head (tree_size, root_hash, signed_at, key_id, signature) VALUES ($1,$2,$3,$4,$5)`, [
        h.treeSize,
        h.rootHash,
        now,
        h.keyId,
        h.signature,
      ]);
    });

    // Everything the database can check passes: the rewrite is self-consistent ...
    expect(ok(await t.gql(`{ ledgerVerify { valid } }`)).ledgerVerify.valid).toBe(true);
    const forgedHead = (await head()).signed;
    const keys = ok(await t.gql(KEYS)).ledgerKeys as { keyId: string; publicKey: string }[];
    const pem = keys.find((k) => k.keyId === forgedHead.keyId)!.publicKey;
    expect(verify(null, Buffer.from(treeHeadText(forgedHead)), createPublicKey(pem), Buffer.from(forgedHead.signature, 'base64'))).toBe(
      true,
    );
    // ... and a proof against the current head alone still passes ...
    const alone = await prove([]);
    expect(alone.code).toBe(0);

    // ... but the witness that kept an earlier head sees the fork, loudly, and keeps its evidence.
    const keptByWitness = readFileSync(state, 'utf8');
    const w3 = await witness();
    expect(w3.code).toBe(1);
    expect(w3.err).toMatch(/LEDGER WITNESS ALARM: FORK/);
    expect(readFileSync(state, 'utf8')).toBe(keptByWitness);
    // And the parent's kept head no longer verifies against the ledger.
    const p3 = await prove(['--head', kept]);
    expect(p3.code).toBe(1);
    expect(p3.out).toMatch(/FAIL FORK: the kept head .* is not a prefix of the current head/);
  }, 120_000);

  it('the witness refuses a head whose signature does not verify (exit 1)', async () => {
    const state = join(dir, 'witness-sig.json');
    const good = await run(['scripts/ledger-witness.mjs', '--url', t.url, '--state', state]);
    expect(good.code).toBe(0);
    // A head row with a signature over other text (as a database-only attacker, without the key, could write).
    const h = (await head()).signed;
    await t.ds.query(`INSERT INTO ledger_tree_head (tree_size, root_hash, signed_at, key_id, signature) VALUES ($1,$2,now(),$3,$4)`, [
      h.treeSize,
      'f'.repeat(64),
      h.keyId,
      h.signature,
    ]);
    const bad = await run(['scripts/ledger-witness.mjs', '--url', t.url, '--state', state]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/BAD SIGNATURE/);
  });
});
