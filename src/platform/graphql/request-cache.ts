import DataLoader from 'dataloader';

/** Per-request memo (lives in the GraphQL context): N fields asking the same thing cost one query. */
export interface RequestContext {
  req: unknown;
  cache?: Map<string, Promise<unknown>>;
}

export function memo<T>(ctx: RequestContext, key: string, fn: () => Promise<T>): Promise<T> {
  ctx.cache ??= new Map();
  let p = ctx.cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    ctx.cache.set(key, p);
  }
  return p;
}

/** A per-request DataLoader (batches every `load` of one tick into one query). */
export function loader<V>(
  ctx: RequestContext,
  name: string,
  batch: (ids: readonly string[]) => Promise<Map<string, V>>,
): DataLoader<string, V | null> {
  const c = ctx as RequestContext & { loaders?: Map<string, DataLoader<string, unknown>> };
  c.loaders ??= new Map();
  let l = c.loaders.get(name) as DataLoader<string, V | null> | undefined;
  if (!l) {
    l = new DataLoader<string, V | null>(async (ids) => {
      const m = await batch(ids);
      return ids.map((id) => m.get(id) ?? null);
    });
    c.loaders.set(name, l as DataLoader<string, unknown>);
  }
  return l;
}
