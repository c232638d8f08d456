import { GraphQLError } from 'graphql';
import { formatError, isUnavailable } from './format-error.js';

const fmt = (e: unknown): unknown => formatError({ message: 'x' }, new GraphQLError('x', { originalError: e as Error }));

describe('formatError', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['admin shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['socket closed', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['commit cut off', Object.assign(new Error('Query runner already released'), { name: 'QueryRunnerAlreadyReleasedError' })],
    [
      'transaction cut off',
      Object.assign(new Error('query runner was already released'), { name: 'QueryRunnerProviderAlreadyReleasedError' }),
    ],
    ['wrapped by TypeORM', Object.assign(new Error('query failed'), { driverError: { code: '08006', message: 'connection failure' } })],
  ])('a database that cannot be reached (%s) is SERVICE_UNAVAILABLE, not INTERNAL', (_, e) => {
    expect(isUnavailable(e)).toBe(true);
    expect(fmt(e)).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('other failures stay INTERNAL_SERVER_ERROR with a generic message', () => {
    const e = new Error('relation "x" does not exist 870101300123');
    expect(isUnavailable(e)).toBe(false);
    expect(fmt(e)).toEqual({ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('a deadlock victim is CONFLICT (rolled back, retry)', () => {
    expect(fmt(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toMatchObject({ extensions: { code: 'CONFLICT' } });
  });

  it.each(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED'])(
    'keeps Apollo’s %s (Apollo Client resends the query on it)',
    (code) => {
      const e = new GraphQLError('PersistedQueryNotFound', { extensions: { code } });
      expect(formatError({ message: e.message, extensions: { code } }, e)).toEqual({ message: e.message, extensions: { code } });
    },
  );

  it('Apollo’s own request check with only an HTTP 400 (APQ hash mismatch) is BAD_USER_INPUT', () => {
    const e = new GraphQLError('provided sha does not match query', { extensions: { http: { status: 400 } } });
    expect(formatError({ message: e.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, e)).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('a unique violation is CONFLICT', () => {
    expect(fmt(Object.assign(new Error('dup'), { code: '23505', constraint: 'uq_application_live_child' }))).toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
  });
});
