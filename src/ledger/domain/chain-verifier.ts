import { blockHash, eventHash, merkleRoot, ZERO_HASH } from './hashing.js';

/** A `ledger_block` row as stored. */
export interface StoredBlock {
  seq: number;
  prevHash: string;
  merkleRoot: string;
  hash: string;
  firstEvent: number;
  lastEvent: number;
  eventCount: number;
  /** ISO UTC, exactly as hashed when sealed. */
  sealedAt: string;
}

/** A `ledger_event` row as stored. */
export interface StoredEvent {
  seq: number;
  blockSeq: number | null;
  /** ISO UTC as hashed by `append` (`Date#toISOString()`); anything finer than ms makes it differ. */
  at: string;
  type: string;
  entity: string;
  entityId: string;
  actor: string;
  data: unknown;
  hash: string;
}

export interface ChainVerification {
  valid: boolean;
  /** Events covered by the stored blocks (what the head claims). */
  length: number;
  /** Hash of the last stored block (ZERO_HASH when nothing is sealed). */
  headHash: string;
  blocks: number;
  /** The first block found invalid (a missing block's seq when one is missing); null if none or if only an unsealed event is bad. */
  firstInvalidSeq: number | null;
  reason: string | null;
  /** Events read before the verdict (all of them when valid). */
  checkedEvents: number;
  unsealedEvents: number;
}

class Invalid {
  constructor(
    readonly blockSeq: number | null,
    readonly reason: string,
  ) {}
}

const factsOf = (b: StoredBlock): Parameters<typeof blockHash>[0] => ({
  seq: b.seq,
  prevHash: b.prevHash,
  merkleRoot: b.merkleRoot,
  firstEvent: b.firstEvent,
  lastEvent: b.lastEvent,
  eventCount: b.eventCount,
  sealedAt: b.sealedAt,
});

/**
 * Recomputes the whole chain from two streams in `seq` order: blocks and events. The sealer seals a
 * prefix of `seq` (see LedgerSealerService), so block ranges are strictly increasing and every event
 * at or below the last sealed event must belong to the block whose range holds it. Checked:
 * - blocks numbered 1, 2, 3, … with no gap; each `prev_hash` = the previous block's hash (ZERO_HASH first);
 * - ranges non-empty and increasing; an event in a range must carry that block's seq, and an event
 *   below the head but outside every range (in a gap) was inserted afterwards;
 * - every event's hash recomputed from its columns (an edit shows here);
 * - each block's event count (a deletion or insertion shows here) and Merkle root over the stored
 *   hashes (an edit that also rewrote `hash` shows here), and its block hash (an edited root shows here);
 * - events after the head: none may claim a block, and each must match its own hash.
 * Stops reading events at the first problem (the blocks stream is still drained for length/head).
 * Memory: one block's leaves at a time.
 */
export async function verifyChain(blocks: AsyncIterable<StoredBlock>, events: AsyncIterable<StoredEvent>): Promise<ChainVerification> {
  const evIt = events[Symbol.asyncIterator]();
  let ev: StoredEvent | null = null;
  let evDone = false;
  let checkedEvents = 0;
  let unsealedEvents = 0;
  const nextEvent = async (): Promise<StoredEvent | null> => {
    if (evDone) return null;
    const r = await evIt.next();
    if (r.done) {
      evDone = true;
      return null;
    }
    checkedEvents++;
    return r.value;
  };

  let length = 0;
  let headHash = ZERO_HASH;
  let blockCount = 0;
  let prev: StoredBlock | null = null;
  let invalid: Invalid | null = null;
  const blIt = blocks[Symbol.asyncIterator]();

  ev = await nextEvent();
  for (let r = await blIt.next(); !r.done; r = await blIt.next()) {
    const b = r.value;
    length += b.eventCount;
    headHash = b.hash;
    blockCount++;
    if (invalid) continue; // drain for length/head only
    invalid = await checkBlock(b);
    prev = b;
  }
  if (!invalid) invalid = await checkTail();
  if (!evDone) await evIt.return?.();

  return {
    valid: invalid === null,
    length,
    headHash,
    blocks: blockCount,
    firstInvalidSeq: invalid?.blockSeq ?? null,
    reason: invalid?.reason ?? null,
    checkedEvents,
    unsealedEvents,
  };

  async function checkBlock(b: StoredBlock): Promise<Invalid | null> {
    const expectedSeq = (prev?.seq ?? 0) + 1;
    if (b.seq !== expectedSeq) return new Invalid(expectedSeq, `block ${expectedSeq} is missing (next stored block is ${b.seq})`);
    const prevHash = prev?.hash ?? ZERO_HASH;
    if (b.prevHash !== prevHash) return new Invalid(b.seq, `block ${b.seq}: prev_hash does not match the hash of block ${b.seq - 1}`);
    if (b.eventCount < 1 || b.firstEvent > b.lastEvent || b.lastEvent - b.firstEvent + 1 < b.eventCount) {
      return new Invalid(b.seq, `block ${b.seq}: impossible range ${b.firstEvent}..${b.lastEvent} for ${b.eventCount} events`);
    }
    if (prev && b.firstEvent <= prev.lastEvent) {
      return new Invalid(
        b.seq,
        `block ${b.seq}: range starts at ${b.firstEvent}, not after block ${prev.seq}'s last event ${prev.lastEvent}`,
      );
    }
    const leaves: string[] = [];
    while (ev && ev.seq <= b.lastEvent) {
      if (ev.seq < b.firstEvent) {
        return new Invalid(
          b.seq,
          `event ${ev.seq} lies below block ${b.seq}'s range ${b.firstEvent}..${b.lastEvent} but in no block (inserted after sealing)`,
        );
      }
      if (ev.blockSeq !== b.seq) {
        return new Invalid(
          b.seq,
          `event ${ev.seq} lies in block ${b.seq}'s range but is marked ${ev.blockSeq === null ? 'unsealed' : `as block ${ev.blockSeq}`}`,
        );
      }
      if (eventHash(ev) !== ev.hash) return new Invalid(b.seq, `event ${ev.seq}: its contents do not match its hash (edited)`);
      leaves.push(ev.hash);
      ev = await nextEvent();
    }
    if (leaves.length !== b.eventCount) {
      return new Invalid(
        b.seq,
        `block ${b.seq}: ${leaves.length} events in range ${b.firstEvent}..${b.lastEvent}, sealed with ${b.eventCount} (events deleted or inserted)`,
      );
    }
    if (merkleRoot(leaves) !== b.merkleRoot) {
      return new Invalid(b.seq, `block ${b.seq}: Merkle root of its events does not match merkle_root`);
    }
    if (blockHash(factsOf(b)) !== b.hash) return new Invalid(b.seq, `block ${b.seq}: block hash does not match its contents`);
    return null;
  }

  async function checkTail(): Promise<Invalid | null> {
    while (ev) {
      if (ev.blockSeq !== null) {
        return new Invalid(
          ev.blockSeq,
          `event ${ev.seq} is marked as block ${ev.blockSeq}, which does not cover it (head is block ${prev?.seq ?? 0})`,
        );
      }
      unsealedEvents++;
      if (eventHash(ev) !== ev.hash) return new Invalid(null, `unsealed event ${ev.seq}: its contents do not match its hash (edited)`);
      ev = await nextEvent();
    }
    return null;
  }
}
