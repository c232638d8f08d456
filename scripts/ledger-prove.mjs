#!/usr/bin/env node
// `npm run ledger:prove -- --application ID [--url http://localhost:3000] [--token T] [--head FILE] [--save-head FILE]`
//
// Checks, without trusting the server's arithmetic, that every sealed ledger event of an application is in
// the ledger, and (with --head) that the ledger is still the one a head you kept earlier described.
// Standalone on purpose (plain Node, fetch + node:crypto, no project code), so an applicant or auditor can
// read and run it on its own. It:
//   0. fetches the signed tree head (`ledgerHead.signed`) and the public keys (`ledgerKeys`), and checks the
//      Ed25519 signature over `kezek-tree-head-v1\n{treeSize}\n{rootHash}\n{timestamp}`;
//   1. with --head FILE (a head kept earlier: `--save-head` output, a witness state file, the `signedHead` of an
//      open-data file or of a bulletin): checks its signature too, then the RFC 9162 §2.1.4 consistency proof
//      (`ledgerConsistency`) from it to the current head: if history before it was rewritten, this fails;
//   2. for each event of `ledgerProof(applicationId, treeSize)`: the leaf SHA-256(0x00 ‖ RFC 8785 canonical
//      JSON of {actor, at, data, entity, entityId, type}) and its RFC 9162 §2.1.3 inclusion proof lead to the
//      signed root; and, as before, the block checks:
//        leaf:  sha256(canonicalJson(facts)) equals eventHash; path: folding the path gives the block's
//               merkleRoot with the depth of a tree of eventCount leaves; block: the block hash is of its facts
//               and the event's seq lies in [firstEvent, lastEvent];
//   3. with --save-head FILE, keeps the current head (after every check passed) for the next run.
// Prints OK/FAIL per event; exit 0 all OK, 1 any FAIL (a bad signature, a fork, an event not proven), 2 usage
// or transport error.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { headSignedBy, keyIdOf, sha256, verifyConsistency, verifyInclusion } from './tree-head-proofs.mjs';

/** RFC 8785 (JCS): sorted members (UTF-16 code units), ECMAScript numbers, minimal string escapes. */
function jcs(v) {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('not a JSON number');
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (typeof v === 'string') {
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v)) throw new Error('lone surrogate');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${jcs(k)}:${jcs(v[k])}`).join(',')}}`;
}

function signatureOk(head, keys) {
  const k = keys.find((x) => x.keyId === head.keyId);
  return Boolean(k) && keyIdOf(k.publicKey) === k.keyId && headSignedBy(head, k.publicKey);
}

/** A kept head from any of the files that carry one. */
function readSavedHead(file) {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const h = j.signedHead ?? j.head ?? j.signed ?? j;
  if (!h || !Number.isInteger(h.treeSize) || typeof h.rootHash !== 'string') throw new Error(`${file} holds no signed tree head`);
  return h;
}

/** Same as src/ledger/domain/hashing.ts canonicalJson. */
function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const HEAD_QUERY = `{
  ledgerHead { length headHash blocks signed { treeSize rootHash timestamp keyId signature } }
  ledgerKeys { keyId algorithm publicKey }
}`;
const CONSISTENCY_QUERY = `query($from: Int!, $to: Int) { ledgerConsistency(fromSize: $from, toSize: $to) { fromSize toSize hashes } }`;
const PROOF_QUERY = `query LedgerProve($id: ID!, $size: Int) {
  ledgerProof(applicationId: $id, treeSize: $size) {
    seq type at entity entityId actor data eventHash blockSeq merkleRoot blockHash
    path { side hash }
    block { seq prevHash merkleRoot hash firstEvent lastEvent eventCount sealedAt }
    leafIndex treeSize inclusion
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
  if (b.seq === head.blocks && b.hash !== head.headHash) problems.push('head block hash differs from ledgerHead.headHash');
  // The contract: the event's leaf is in the signed tree.
  const signed = head.signed;
  const treeLeaf = sha256(
    Buffer.from([0]),
    Buffer.from(jcs({ actor: p.actor, at: p.at, data, entity: p.entity, entityId: p.entityId, type: p.type }), 'utf8'),
  );
  if (p.treeSize !== signed.treeSize || !Array.isArray(p.inclusion))
    problems.push(`no inclusion proof in the signed tree of ${signed.treeSize}`);
  else if (!verifyInclusion(treeLeaf, p.leafIndex, p.treeSize, p.inclusion, signed.rootHash)) {
    problems.push('inclusion proof does not lead to the signed root (the event is not in the ledger as shown)');
  }
  return problems;
}

async function gql(base, token, query, variables) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length || !body.data) {
    const err = new Error(
      `server answered: ${body.errors?.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ') ?? 'no data'}`,
    );
    err.answered = true;
    throw err;
  }
  return body.data;
}

async function main() {
  const { values } = parseArgs({
    options: {
      application: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      head: { type: 'string' },
      'save-head': { type: 'string' },
    },
  });
  if (!values.application) {
    process.stderr.write(
      'usage: npm run ledger:prove -- --application ID [--url http://localhost:3000] [--token T] [--head FILE] [--save-head FILE]\n',
    );
    return 2;
  }
  const base = (values.url ?? process.env.KEZEK_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const token = values.token ?? process.env.KEZEK_TOKEN;
  let saved = null;
  if (values.head) {
    try {
      saved = readSavedHead(values.head);
    } catch (e) {
      process.stderr.write(`cannot read the kept head: ${e.message}\n`);
      return 2;
    }
  }
  let head;
  let keys;
  let proofs;
  try {
    ({ ledgerHead: head, ledgerKeys: keys } = await gql(base, token, HEAD_QUERY));
    proofs = (await gql(base, token, PROOF_QUERY, { id: values.application, size: head.signed.treeSize })).ledgerProof;
  } catch (e) {
    process.stderr.write(e.answered ? `${e.message}\n` : `cannot reach ${base}/graphql: ${e.message}\n`);
    return 2;
  }
  const signed = head.signed;
  process.stdout.write(
    `ledger head: ${head.length} events, ${head.blocks} blocks, ${head.headHash}\n` +
      `signed tree head: ${signed.treeSize} events, root ${signed.rootHash}, ${signed.timestamp}, key ${signed.keyId}\n`,
  );
  let bad = 0;
  if (!signatureOk(signed, keys)) {
    process.stdout.write('FAIL the signed tree head does not verify with the published key\n');
    bad++;
  }
  if (saved) {
    let ok = signatureOk(saved, keys);
    if (!ok) process.stdout.write(`FAIL the kept head (${saved.treeSize} events) does not verify with a published key\n`);
    if (ok && saved.treeSize > signed.treeSize) {
      ok = false;
      process.stdout.write(`FAIL the ledger shrank: kept head ${saved.treeSize} events, now ${signed.treeSize}\n`);
    } else if (ok) {
      let proof = [];
      try {
        if (saved.treeSize > 0 && saved.treeSize < signed.treeSize) {
          proof = (await gql(base, token, CONSISTENCY_QUERY, { from: saved.treeSize, to: signed.treeSize })).ledgerConsistency.hashes;
        }
      } catch (e) {
        process.stderr.write(`${e.message}\n`);
      }
      ok = verifyConsistency(saved.treeSize, signed.treeSize, saved.rootHash, signed.rootHash, proof);
      process.stdout.write(
        ok
          ? `OK   the kept head (${saved.treeSize} events, ${saved.timestamp}) is a prefix of the current head\n`
          : `FAIL FORK: the kept head (${saved.treeSize} events, root ${saved.rootHash}, ${saved.timestamp}) is not a prefix of the current head: history was rewritten\n`,
      );
    }
    if (!ok) bad++;
  } else {
    process.stdout.write('(no --head: checked against the current head only; keep one with --save-head and pass it next time)\n');
  }
  let failed = 0;
  let proven = 0;
  for (const p of proofs) {
    if (p.treeSize === null) {
      process.stdout.write(`---- #${p.seq} ${p.type}: sealed after the signed head, checked next time\n`);
      continue;
    }
    const problems = checkProof(p, head);
    if (problems.length) failed++;
    else proven++;
    process.stdout.write(
      `${problems.length ? 'FAIL' : 'OK  '} #${p.seq} ${p.type} ${p.at} leaf ${p.leafIndex}${problems.length ? `: ${problems.join('; ')}` : ''}\n`,
    );
  }
  process.stdout.write(`${proven}/${proven + failed} events proven\n`);
  if (failed || bad) return 1;
  if (values['save-head']) {
    writeFileSync(values['save-head'], `${JSON.stringify(signed, null, 2)}\n`);
    process.stdout.write(`kept the head in ${values['save-head']}\n`);
  }
  return 0;
}

process.exitCode = await main();
