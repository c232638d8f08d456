#!/usr/bin/env node
// `npm run ledger:prove -- --application ID [--url http://localhost:3000] [--token T]`
//
// Checks, without trusting the server's arithmetic, that every sealed ledger event of an application
// is included in the ledger. Standalone on purpose (plain Node, fetch + node:crypto, no project code),
// so an applicant or auditor can read and run it on its own. For each event returned by
// `ledgerProof(applicationId)` it checks:
//   1. leaf:   sha256(canonicalJson({actor, at, data, entity, entityId, type})) equals eventHash,
//              i.e. the hash really is of the facts shown (canonical JSON = keys sorted at every level);
//   2. path:   folding the path from the leaf (side R: sha256(cur + sibling), side L: sha256(sibling + cur),
//              hex strings concatenated) gives the block's merkleRoot; the path has the depth of a tree
//              of eventCount leaves and points at a leaf index below eventCount;
//   3. block:  sha256(canonicalJson({seq, prevHash, merkleRoot, firstEvent, lastEvent, eventCount, sealedAt}))
//              equals the block hash, and the event's seq lies in [firstEvent, lastEvent];
//   4. head:   the block is not beyond `ledgerHead`, and if it is the head block its hash is headHash.
// What this does not prove alone: that an older block is linked to today's head (that needs the
// prev-hash chain, which `ledgerVerify` recomputes server-side, and the heads pinned in bulletins).
// Prints OK/FAIL per event; exit 0 all OK, 1 any FAIL, 2 usage or transport error.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/** Same as src/ledger/domain/hashing.ts canonicalJson. */
function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const QUERY = `query LedgerProve($id: ID!) {
  ledgerHead { length headHash blocks }
  ledgerProof(applicationId: $id) {
    seq type at entity entityId actor data eventHash blockSeq merkleRoot blockHash
    path { side hash }
    block { seq prevHash merkleRoot hash firstEvent lastEvent eventCount sealedAt }
  }
}`;

/** Returns a list of problems (empty = OK). */
function checkProof(p, head) {
  const problems = [];
  const b = p.block;
  let data;
  try {
    data = JSON.parse(p.data);
  } catch {
    return ['data is not JSON'];
  }
  const leaf = sha256(canonicalJson({ at: p.at, type: p.type, entity: p.entity, entityId: p.entityId, actor: p.actor, data }));
  if (leaf !== p.eventHash) problems.push('event hash does not match the event facts');
  let h = leaf;
  let index = 0;
  p.path.forEach((step, level) => {
    if (step.side === 'R') h = sha256(h + step.hash);
    else {
      h = sha256(step.hash + h);
      index += 2 ** level;
    }
  });
  if (h !== b.merkleRoot || p.merkleRoot !== b.merkleRoot) problems.push('Merkle path does not lead to the block root');
  const depth = b.eventCount > 1 ? Math.ceil(Math.log2(b.eventCount)) : 0;
  if (p.path.length !== depth || index >= b.eventCount) problems.push(`path shape does not fit a block of ${b.eventCount} events`);
  const recomputed = sha256(
    canonicalJson({
      seq: b.seq,
      prevHash: b.prevHash,
      merkleRoot: b.merkleRoot,
      firstEvent: b.firstEvent,
      lastEvent: b.lastEvent,
      eventCount: b.eventCount,
      sealedAt: b.sealedAt,
    }),
  );
  if (recomputed !== b.hash || p.blockHash !== b.hash || p.blockSeq !== b.seq) problems.push('block hash does not match the block facts');
  if (p.seq < b.firstEvent || p.seq > b.lastEvent) problems.push('event lies outside the block range');
  if (b.seq > head.blocks) problems.push(`block ${b.seq} is beyond the head (${head.blocks} blocks)`);
  if (b.seq === head.blocks && b.hash !== head.headHash) problems.push('head block hash differs from ledgerHead.headHash');
  return problems;
}

async function main() {
  const { values } = parseArgs({
    options: { application: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' } },
  });
  if (!values.application) {
    process.stderr.write('usage: npm run ledger:prove -- --application ID [--url http://localhost:3000] [--token T]\n');
    return 2;
  }
  const base = (values.url ?? process.env.KEZEK_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const token = values.token ?? process.env.KEZEK_TOKEN;
  let body;
  try {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: QUERY, variables: { id: values.application } }),
    });
    body = await res.json();
  } catch (e) {
    process.stderr.write(`cannot reach ${base}/graphql: ${e.message}\n`);
    return 2;
  }
  if (body.errors?.length || !body.data) {
    process.stderr.write(
      `server answered: ${body.errors?.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ') ?? 'no data'}\n`,
    );
    return 2;
  }
  const { ledgerHead: head, ledgerProof: proofs } = body.data;
  process.stdout.write(`ledger head: ${head.length} events, ${head.blocks} blocks, ${head.headHash}\n`);
  let failed = 0;
  for (const p of proofs) {
    const problems = checkProof(p, head);
    if (problems.length) failed++;
    process.stdout.write(
      `${problems.length ? 'FAIL' : 'OK  '} #${p.seq} ${p.type} ${p.at} block ${p.blockSeq}${problems.length ? `: ${problems.join('; ')}` : ''}\n`,
    );
  }
  process.stdout.write(`${proofs.length - failed}/${proofs.length} events proven\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
