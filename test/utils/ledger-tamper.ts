import type { DataSource } from 'typeorm';

/**
 * Runs SQL on the ledger tables as someone with full database access would: the append-only triggers
 * (migration 1764000000150) refuse UPDATE/DELETE/TRUNCATE, so this turns triggers off for one transaction
 * (`session_replication_role = replica`, superuser only). For tests that show tampering being detected.
 */
export async function asSuperuser<T = unknown>(ds: DataSource, sql: string, params: unknown[] = []): Promise<T[]> {
  return ds.transaction(async (em) => {
    await em.query(`SET LOCAL session_replication_role = replica`);
    return (await em.query(sql, params)) as T[];
  });
}
