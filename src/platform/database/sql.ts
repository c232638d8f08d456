import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of an `UPDATE/DELETE … RETURNING`. TypeORM's postgres driver returns `[rows, affected]` for
 * those statements (plain rows for SELECT/INSERT); this normalises to rows.
 */
export async function returning<T>(em: EntityManager | DataSource, sql: string, params: unknown[] = []): Promise<T[]> {
  const r = (await em.query(sql, params)) as unknown;
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}
