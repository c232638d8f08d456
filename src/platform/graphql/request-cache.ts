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
