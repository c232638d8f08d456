import type { DataSource } from 'typeorm';

/** Row count and content hash of every table in the public schema: equal snapshots = nothing changed. */
export type DbSnapshot = Record<string, { rows: number; hash: string }>;

export async function tableNames(ds: DataSource): Promise<string[]> {
  const rows: { t: string }[] = await ds.query(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.map((r) => r.t);
}

/**
 * What background workers write on their own after a request has committed: ledger sealing (blocks,
 * `ledger_event.block_seq`, the Merkle tree and its signed heads), SMS delivery (the delivery columns of `notification`), the scheduler's mark. Left out of
 * snapshots so that a comparison shows what a request itself changed.
 */
export const BACKGROUND: Record<string, readonly string[] | 'all'> = {
  ledger_block: 'all',
  ledger_tree_node: 'all', // the sealer grows the Merkle tree with each block
  ledger_tree_head: 'all', // signed heads, kept as the sealer and readers sign them
  scheduler_state: 'all', // the scheduler's catch-up mark, moved on by its tick
  ledger_event: ['block_seq'],
  notification: ['status', 'attempts', 'next_attempt_at', 'sent_at', 'delivered_at', 'provider_message_id', 'last_error'],
};

export async function snapshot(
  ds: DataSource,
  tables?: string[],
  ignore: Record<string, readonly string[] | 'all'> = BACKGROUND,
): Promise<DbSnapshot> {
  const names = (tables ?? (await tableNames(ds))).filter((n) => ignore[n] !== 'all');
  const row = (n: string): string => {
    const cols = ignore[n];
    return Array.isArray(cols) && cols.length ? `(to_jsonb(x) - ARRAY[${cols.map((c) => `'${c}'`).join(',')}]::text[])::text` : 'x::text';
  };
  const sql = names
    .map(
      (n) =>
        `SELECT '${n}' AS t, count(*)::int AS rows, coalesce(md5(string_agg(${row(n)}, '|' ORDER BY ${row(n)})), '') AS hash FROM "${n}" x`,
    )
    .join(' UNION ALL ');
  const rows: { t: string; rows: number; hash: string }[] = await ds.query(sql);
  return Object.fromEntries(rows.map((r) => [r.t, { rows: r.rows, hash: r.hash }]));
}

export function counts(s: DbSnapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([t, v]) => [t, v.rows]));
}

/** Tables whose content differs. */
export function changed(a: DbSnapshot, b: DbSnapshot): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => a[n]?.hash !== b[n]?.hash || a[n]?.rows !== b[n]?.rows).sort();
}

/**
 * A snapshot taken once background work (SMS delivery, ledger sealing, allocation jobs) has settled:
 * two snapshots `gapMs` apart agree.
 */
export async function settledSnapshot(ds: DataSource, tables?: string[], gapMs = 60, timeoutMs = 10_000): Promise<DbSnapshot> {
  const names = tables ?? (await tableNames(ds));
  const t0 = Date.now();
  let prev = await snapshot(ds, names);
  for (;;) {
    await new Promise((r) => setTimeout(r, gapMs));
    const next = await snapshot(ds, names);
    if (changed(prev, next).length === 0 || Date.now() - t0 > timeoutMs) return next;
    prev = next;
  }
}
