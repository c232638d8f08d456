import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, type ErrorCode } from './app-error.js';

const KNOWN: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
]);

/** SQLSTATE classes and socket errors that mean "the database is not reachable now", not a bug. */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300|53400)$/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|connection is closed|server closed the connection|the database system is (starting up|shutting down|in recovery mode|not yet accepting)/i;

/** True for an error that says the database (or Redis) is down or restarting. */
export function isUnavailable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; message?: string; driverError?: { code?: string; message?: string } } | null;
  if (!err) return false;
  // A transaction whose connection broke: TypeORM released its query runner under it.
  if (err.name === 'QueryRunnerProviderAlreadyReleasedError' || err.name === 'QueryRunnerAlreadyReleasedError') return true;
  const code = err.driverError?.code ?? err.code ?? '';
  if (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_NODE_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.test(`${err.message ?? ''} ${err.driverError?.message ?? ''}`);
}

/** Postgres error → API error, for constraint violations that race past the service checks. */
export function fromDatabaseError(e: unknown): AppError | null {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = err.driverError?.code ?? err.code;
  const constraint = err.driverError?.constraint ?? err.constraint ?? '';
  if (code === '23505') {
    return new AppError('CONFLICT', `conflict: ${CONSTRAINT_MESSAGES[constraint] ?? constraint}`);
  }
  // check violation, invalid text/date/number, a NUL or other character the encoding cannot hold
  if (code === '23514' || code === '22P02' || code === '22007' || code === '22008' || code === '22003' || code === '22021') {
    return new AppError('BAD_USER_INPUT', `invalid value (${constraint || code})`);
  }
  // deadlock detected / serialization failure: the transaction was rolled back, nothing changed.
  if (code === '40P01' || code === '40001') {
    return new AppError('CONFLICT', 'conflict: a concurrent change got in the way; nothing was changed, retry');
  }
  if (isUnavailable(e)) {
    return new AppError('SERVICE_UNAVAILABLE', 'service temporarily unavailable: the database cannot be reached, retry shortly');
  }
  return null;
}

export const CONSTRAINT_MESSAGES: Record<string, string> = {
  uq_organization_bin: 'bin: an organization with this BIN already exists',
  uq_application_live_child: 'childIin: this child already has a live application',
  uq_referral_live_application: 'applicationId: the application already has a live referral',
  uq_referral_live_vacancy: 'vacancyId: the place already has a live referral',
};

/** One mapping from any thrown error to a GraphQL error with `extensions.code`. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof AppError) {
    return {
      ...base,
      message: original.message,
      extensions: {
        code: original.code,
        ...(original.field ? { field: original.field } : {}),
        ...(original.fields?.length ? { fields: original.fields } : {}),
      },
    };
  }
  const db = fromDatabaseError(original);
  if (db) return { ...base, message: db.message, extensions: { code: db.code } };
  const code = formatted.extensions?.code;
  // Request limits (complexity.plugin.ts) also say which limit and its value.
  const limit = formatted.extensions?.limit;
  if (code === 'BAD_USER_INPUT' && typeof limit === 'string') {
    return { ...base, extensions: { code, limit, max: formatted.extensions?.max } };
  }
  if (typeof code === 'string' && KNOWN.has(code)) return { ...base, extensions: { code } };
  // Automatic persisted queries: Apollo Client resends the full query on exactly these codes.
  if (code === 'PERSISTED_QUERY_NOT_FOUND' || code === 'PERSISTED_QUERY_NOT_SUPPORTED') return { ...base, extensions: { code } };
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_REQUEST') {
    return { ...base, extensions: { code: 'BAD_USER_INPUT', reason: code } };
  }
  // A GraphQL error that no resolver threw (parse, validation, variable coercion) is the caller's input.
  const e = error as { name?: string; originalError?: unknown } | null;
  if (e?.name === 'GraphQLError' && !e.originalError && !code) {
    return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
  }
  // Apollo's own request checks (a persisted query's hash that does not match its text, an unknown APQ
  // version) carry no code, only an HTTP 400: the caller's input, not a server failure.
  const http = (error as { extensions?: { http?: { status?: number } } } | null)?.extensions?.http;
  if (e?.name === 'GraphQLError' && !e.originalError && http?.status === 400) return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
  const status = (original as { status?: number } | null)?.status;
  if (status === 403) return { ...base, extensions: { code: 'FORBIDDEN' } };
  if (status === 401) return { ...base, extensions: { code: 'UNAUTHENTICATED' } };
  if (status === 400) return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
  if (status === 429) return { ...base, message: 'too many requests', extensions: { code: 'TOO_MANY_REQUESTS' } };
  if (process.env.KEZEK_DEBUG_ERRORS) console.error('unmapped error', formatted, original);
  return { ...base, message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
