import type { EntityManager } from 'typeorm';

/** Advisory lock keys of the project, in one place (first key of pg_advisory_*(int, int) where two). */
export const LOCK_KEYS = {
  migrations: 727001,
  scheduler: 727002,
  bulletin: 727003,
  /** The ledger sealer. */
  ledgerSeal: 727101,
  /** With hashtext(locality): allocation of one locality. */
  localityQueue: 727100,
} as const;

/**
 * Allocation in a locality (a run's locality task, a claim of an open place): exclusive, until the end
 * of the transaction. Take it before any row lock.
 */
export async function lockLocalityForAllocation(em: EntityManager, locality: string): Promise<void> {
  await em.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [LOCK_KEYS.localityQueue, locality]);
}

/**
 * A change of an application's place in a locality's queue: into it or back (decline, expiry, cancelled
 * referral, end of a stop-list term, restore), out of it (withdrawal, archiving, stop-list, ageing out) or
 * to another class (a priority decision): shared, so such changes run side by side but never while an
 * allocation of the locality is in progress. Take it before any row lock.
 *
 * Allocation reads the locality's queue WITHOUT row locks (at national size a locality holds 200,000
 * applications; it row-locks only the applications it refers), so this lock is what keeps the queue it
 * read unchanged until it commits.
 *
 * Why: allocation reads the QUEUED applications of a locality once. An application that becomes QUEUED
 * in a transaction that overlaps the run is invisible to it, yet its ledger event may take a `seq`
 * before the run's referrals; the ledger (and the fairness audit replaying it in `seq` order) would then
 * show it waiting, better ranked, while a worse one got the place. With the lock the change commits
 * either before the run reads the queue or after the run has committed.
 */
export async function lockLocalityForQueueChange(em: EntityManager, locality: string): Promise<void> {
  await em.query(`SELECT pg_advisory_xact_lock_shared($1, hashtext($2))`, [LOCK_KEYS.localityQueue, locality]);
}

/**
 * {@link lockLocalityForQueueChange} for several localities in one statement (a sweep's chunk of changes
 * across the country), in locality order. Take it before any row lock. Shared locks do not conflict with
 * one another and an allocation holds one locality's exclusive lock at a time, so the chunk only waits,
 * locality by locality, for runs in progress.
 */
export async function lockLocalitiesForQueueChange(em: EntityManager, localities: Iterable<string>): Promise<void> {
  const sorted = [...new Set(localities)].sort();
  if (!sorted.length) return;
  await em.query(`SELECT pg_advisory_xact_lock_shared($1, hashtext(l)) FROM unnest($2::text[]) WITH ORDINALITY AS x(l, n) ORDER BY n`, [
    LOCK_KEYS.localityQueue,
    sorted,
  ]);
}
