import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Headers a browser page may send to /graphql (Apollo Client's, the CSRF-prevention header, tokens, language). */
export const CORS_ALLOWED_HEADERS = [
  'Content-Type',
  'Authorization',
  'Accept-Language',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
  'Idempotency-Key',
];
/** Response headers a page may read besides the safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['Retry-After'];

/** `CORS_ORIGINS` → the list of origins (`*` kept as is; production refuses it at start-up). */
export function parseCorsOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((x) => x.trim().replace(/\/$/, ''))
    .filter((x) => x !== '');
}

/**
 * CORS for the GraphQL endpoint, by configuration: a request whose `Origin` is in the list gets
 * `Access-Control-Allow-Origin` (that origin, never `*` with credentials), and its preflight
 * (`OPTIONS` with `Access-Control-Request-Method`) is answered here with 204 — before Apollo, whose
 * CSRF prevention would refuse it. An origin not in the list gets no `Access-Control-Allow-*` header
 * (its browser blocks the call). Tokens travel in the `Authorization` header, never in cookies, so
 * `Access-Control-Allow-Credentials` is not sent: a page calls with `credentials: 'omit'` or the default.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const listed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';
    if (!origin) {
      next();
      return;
    }
    res.vary('Origin');
    const allowed = any || listed.has(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS.join(', '));
    }
    if (!preflight) {
      next();
      return;
    }
    if (allowed) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS.join(', '));
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}
