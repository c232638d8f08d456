// RFC 9162 §2.1 proof checks and Kezek's signed tree heads, shared by ledger-prove.mjs and ledger-witness.mjs.
// Plain Node (node:crypto), no project code: an applicant or auditor can read and run it on its own (the server
// side is src/ledger/domain/merkle.ts; these checks deliberately do not import it).
import { createHash, createPublicKey, verify } from 'node:crypto';

/** Lower-case hex SHA-256 of the concatenated parts (strings as UTF-8, or Buffers). */
export const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
export const nodeHash = (l, r) => sha256(Buffer.from([1]), Buffer.from(l, 'hex'), Buffer.from(r, 'hex'));
export const EMPTY_ROOT = sha256(Buffer.alloc(0));
export const HEX = /^[0-9a-f]{64}$/;

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(leaf, index, size, proof, root) {
  if (!(Number.isInteger(index) && Number.isInteger(size) && index >= 0 && index < size)) return false;
  if (!proof.every((h) => HEX.test(h))) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistency(size1, size2, root1, root2, proof) {
  if (!(Number.isInteger(size1) && Number.isInteger(size2) && size1 >= 0 && size1 <= size2)) return false;
  if (!proof.every((h) => HEX.test(h))) return false;
  if (size1 === size2) return proof.length === 0 && root1 === root2;
  if (size1 === 0) return proof.length === 0 && root1 === EMPTY_ROOT;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  if (!path.length) return false;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr === root1 && sr === root2 && sn === 0;
}

/** The key id of an SPKI PEM public key: the first 16 hex of SHA-256 of its DER. */
export function keyIdOf(pem) {
  return sha256(createPublicKey(pem).export({ type: 'spki', format: 'der' })).slice(0, 16);
}

/** Whether `head` carries a valid Ed25519 signature by `pem` over `kezek-tree-head-v1\n{treeSize}\n{rootHash}\n{timestamp}`. */
export function headSignedBy(head, pem) {
  const text = `kezek-tree-head-v1\n${head.treeSize}\n${head.rootHash}\n${head.timestamp}`;
  try {
    return verify(null, Buffer.from(text, 'utf8'), createPublicKey(pem), Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}
