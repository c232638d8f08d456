#!/usr/bin/env node
// `npm run ledger:witness -- --url BASE_URL --state FILE`
//
// A witness of Kezek's ledger (RFC 9162-style transparency log). Plain Node (fetch + node:crypto), no project
// code, and it trusts nothing the server says without checking it:
//   1. fetches `ledgerHead { signed }` and `ledgerKeys` over GraphQL;
//   2. checks the head's Ed25519 signature over `kezek-tree-head-v1\n{treeSize}\n{rootHash}\n{timestamp}` with
//      the published key of its keyId; a key this witness saw before must still be published, unchanged
//      (a server cannot swap a key away); a new key is accepted (rotation) and remembered;
//   3. if FILE holds a head it kept earlier: the new tree may not be smaller; the same size must have the same
//      root; a larger one must come with a valid RFC 9162 §2.1.4 consistency proof (`ledgerConsistency`) from
//      the kept head: otherwise history was rewritten (a fork), and it says so loudly;
//   4. keeps the new head (and the keys) in FILE.
// Exit 0: consistent (or first head kept); 1: fork, bad signature or key swap (FILE is left as it was);
// 2: usage or transport error. Run it from cron, for several servers, from several places.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HEX, headSignedBy, keyIdOf, verifyConsistency } from './tree-head-proofs.mjs';

const HEAD_QUERY = `{ ledgerHead { signed { treeSize rootHash timestamp keyId signature } } ledgerKeys { keyId algorithm publicKey validFrom validUntil } }`;
const CONSISTENCY_QUERY = `query($from: Int!, $to: Int) { ledgerConsistency(fromSize: $from, toSize: $to) { fromSize toSize hashes } }`;

/** Whether `head` is signed by the key of its keyId among `keys` (keyId → SPKI PEM). */
function signatureOk(head, keys) {
  const pem = keys[head.keyId];
  return Boolean(pem) && headSignedBy(head, pem);
}

async function gql(base, query, variables) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length || !body.data) {
    throw new Error(
      `server answered: ${body.errors?.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ') ?? `HTTP ${res.status}`}`,
    );
  }
  return body.data;
}

const fail = (msg) => {
  process.stderr.write(
    `\n!!! LEDGER WITNESS ALARM: ${msg}\n!!! The head kept in the state file was NOT replaced. Keep it as evidence.\n\n`,
  );
  return 1;
};

async function main() {
  const { values } = parseArgs({ options: { url: { type: 'string' }, state: { type: 'string' } } });
  if (!values.url || !values.state) {
    process.stderr.write('usage: npm run ledger:witness -- --url BASE_URL --state FILE\n');
    return 2;
  }
  const base = values.url.replace(/\/+$/, '');
  const state = existsSync(values.state) ? JSON.parse(readFileSync(values.state, 'utf8')) : { head: null, keys: {} };
  let data;
  try {
    data = await gql(base, HEAD_QUERY);
  } catch (e) {
    process.stderr.write(`cannot get the head from ${base}: ${e.message}\n`);
    return 2;
  }
  const head = data.ledgerHead.signed;
  const published = {};
  for (const k of data.ledgerKeys) {
    if (k.algorithm !== 'Ed25519') continue;
    if (keyIdOf(k.publicKey) !== k.keyId) return fail(`key ${k.keyId} is not the key id of its public key`);
    published[k.keyId] = k.publicKey;
  }
  for (const [id, pem] of Object.entries(state.keys ?? {})) {
    if (published[id] !== pem) return fail(`key ${id}, seen before, is no longer published as it was`);
  }
  if (!HEX.test(head.rootHash) || !Number.isInteger(head.treeSize) || head.treeSize < 0) return fail('the head is malformed');
  if (!signatureOk(head, published)) return fail(`BAD SIGNATURE on the head of ${head.treeSize} events (key ${head.keyId})`);
  const old = state.head;
  if (old) {
    if (head.treeSize < old.treeSize) {
      return fail(`FORK: the ledger shrank from ${old.treeSize} to ${head.treeSize} events (kept root ${old.rootHash})`);
    }
    let proof = [];
    if (head.treeSize > old.treeSize && old.treeSize > 0) {
      try {
        proof = (await gql(base, CONSISTENCY_QUERY, { from: old.treeSize, to: head.treeSize })).ledgerConsistency.hashes;
      } catch (e) {
        return fail(`FORK? no consistency proof from ${old.treeSize} to ${head.treeSize}: ${e.message}`);
      }
    }
    if (!verifyConsistency(old.treeSize, head.treeSize, old.rootHash, head.rootHash, proof)) {
      return fail(
        `FORK: the head of ${head.treeSize} events (root ${head.rootHash}, ${head.timestamp}) is not an extension of the head ` +
          `kept on ${old.timestamp} (${old.treeSize} events, root ${old.rootHash}): history was rewritten`,
      );
    }
  }
  const next = { url: base, head, keys: { ...state.keys, ...published }, checkedAt: new Date().toISOString() };
  const tmp = `${values.state}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(tmp, values.state);
  process.stdout.write(
    old
      ? `OK: ${head.treeSize} events, root ${head.rootHash}, signed by ${head.keyId}; consistent with the kept head of ${old.treeSize}\n`
      : `OK: first head kept: ${head.treeSize} events, root ${head.rootHash}, signed by ${head.keyId}\n`,
  );
  return 0;
}

process.exitCode = await main();
