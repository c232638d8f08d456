import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLRequestListener, GraphQLResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** A first request still unanswered after this long is taken as lost (its process died): a retry runs it again. */
const ABANDONED_AFTER_SECONDS = 60;
/** How long a retry waits for a concurrent first request with the same key to answer. */
const WAIT_MS = 10_000;
/** Answers that are not the request's own outcome: not remembered, so a retry runs it again. */
const TRANSIENT = new Set(['SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'TOO_MANY_REQUESTS']);

interface Ctx {
  req?: { headers?: Record<string, string | string[] | undefined>; ip?: string };
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function single(result: FormattedExecutionResult, http: GraphQLResponse['http']): GraphQLResponse {
  return { http, body: { kind: 'single', singleResult: result } };
}
function refusal(code: string, message: string, http: GraphQLResponse['http']): GraphQLResponse {
  return single({ errors: [{ message, extensions: { code, field: 'Idempotency-Key' } }] }, http);
}

/**
 * HTTP header `Idempotency-Key` on a mutation (API.md "Additions"): the first request with a key runs and
 * its answer is kept for a day; a retry with the same key by the same caller (the same Authorization
 * header, or the same address when anonymous) and the same request gets that answer again and runs
 * nothing; the same key with another request is CONFLICT. Two concurrent requests with one key: the
 * primary key (caller, key) lets one run, the other waits for its answer. Answers that say "try again"
 * (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, internal errors) are not kept. Queries ignore the header.
 */
export function idempotencyPlugin(db: DataSource): ApolloServerPlugin<Ctx> {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await
    async requestDidStart(): Promise<GraphQLRequestListener<Ctx>> {
      let owned: { caller: string; key: string } | null = null;
      return {
        async responseForOperation(rc: GraphQLRequestContext<Ctx>): Promise<GraphQLResponse | null> {
          if (rc.operation?.operation !== 'mutation') return null;
          const raw = rc.request.http?.headers.get(IDEMPOTENCY_HEADER);
          if (raw === undefined || raw === null) return null;
          const http = rc.response.http;
          const key = raw.trim();
          if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
            return refusal('BAD_USER_INPUT', 'Idempotency-Key must be 1 to 200 visible ASCII characters', http);
          }
          const auth = rc.contextValue.req?.headers?.authorization;
          const caller = sha256(auth ? `auth ${String(auth)}` : `anonymous ${rc.contextValue.req?.ip ?? ''}`);
          const requestHash = sha256(JSON.stringify([rc.queryHash, rc.request.operationName ?? null, rc.request.variables ?? {}]));
          await db.query(`DELETE FROM idempotency_key WHERE ctid IN (SELECT ctid FROM idempotency_key WHERE expires_at < now() LIMIT 100)`);
          const deadline = Date.now() + WAIT_MS;
          for (;;) {
            const mine: unknown[] = await db.query(
              `INSERT INTO idempotency_key (caller, key, request_hash, expires_at)
               VALUES ($1, $2, $3, now() + make_interval(hours => $4))
               ON CONFLICT (caller, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, created_at = now(), expires_at = EXCLUDED.expires_at
                 WHERE idempotency_key.response IS NULL AND idempotency_key.created_at < now() - make_interval(secs => $5)
               RETURNING 1`,
              [caller, key, requestHash, IDEMPOTENCY_TTL_HOURS, ABANDONED_AFTER_SECONDS],
            );
            if (mine.length) {
              owned = { caller, key };
              return null; // run it; willSendResponse keeps the answer
            }
            const [row] = (await db.query(`SELECT request_hash, response FROM idempotency_key WHERE caller = $1 AND key = $2`, [
              caller,
              key,
            ])) as { request_hash: string; response: FormattedExecutionResult | null }[];
            if (!row) continue; // expired or given up in between: try to take it
            if (row.request_hash !== requestHash) {
              return refusal('CONFLICT', 'conflict: this Idempotency-Key was used for another request', http);
            }
            if (row.response) {
              http.headers.set('idempotent-replayed', 'true');
              return single(row.response, http);
            }
            if (Date.now() > deadline) {
              return refusal('CONFLICT', 'conflict: a request with this Idempotency-Key is still running; retry later', http);
            }
            await sleep(100);
          }
        },
        async willSendResponse({ response }) {
          if (!owned) return;
          const { caller, key } = owned;
          owned = null;
          const result = response.body.kind === 'single' ? response.body.singleResult : null;
          const transient =
            !result ||
            (result.errors ?? []).some((e) => {
              const code = e.extensions?.code;
              return TRANSIENT.has(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
            });
          try {
            if (transient) {
              await db.query(`DELETE FROM idempotency_key WHERE caller = $1 AND key = $2 AND response IS NULL`, [caller, key]);
            } else {
              await db.query(`UPDATE idempotency_key SET response = $3 WHERE caller = $1 AND key = $2`, [
                caller,
                key,
                JSON.stringify({ data: result.data ?? null, ...(result.errors ? { errors: result.errors } : {}) }),
              ]);
            }
          } catch {
            // The answer still goes out; a retry after ABANDONED_AFTER_SECONDS runs the request again.
          }
        },
      };
    },
  };
}
