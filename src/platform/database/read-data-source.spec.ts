import { QueryFailedError } from 'typeorm';
import { ConfigError, loadConfig } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { serverOptions } from './data-source.js';
import { REPLICA_STATEMENT_TIMEOUT_MS, replicaUnavailable } from './read-data-source.js';

const pgError = (message: string, code?: string): Error => Object.assign(new Error(message), code ? { code } : {});

describe('read replica', () => {
  it('falls back on errors that say the replica cannot serve, not on errors of the read itself', () => {
    for (const e of [
      pgError('connect ECONNREFUSED 127.0.0.1:5433', 'ECONNREFUSED'),
      pgError('timeout exceeded when trying to connect'),
      pgError('Connection terminated unexpectedly'),
      new QueryFailedError('SELECT 1', [], pgError('terminating connection due to administrator command', '57P01')),
      new QueryFailedError('SELECT 1', [], pgError('the database system is starting up', '57P03')),
      new QueryFailedError('SELECT 1', [], pgError('canceling statement due to conflict with recovery', '40001')),
      new QueryFailedError('SELECT 1', [], pgError('canceling statement due to statement timeout', '57014')),
    ]) {
      expect(replicaUnavailable(e)).toBe(true);
    }
    for (const e of [
      new AppError('NOT_FOUND', 'application: not found'),
      new QueryFailedError('SELEC 1', [], pgError('syntax error at or near "SELEC"', '42601')),
      new QueryFailedError('INSERT', [], pgError('cannot execute INSERT in a read-only transaction', '25006')),
      'not an error',
    ]) {
      expect(replicaUnavailable(e)).toBe(false);
    }
  });

  it("the replica's sessions are read-only with a statement timeout; the primary's have neither", () => {
    expect(serverOptions({ readOnly: true, statementTimeoutMs: REPLICA_STATEMENT_TIMEOUT_MS })).toBe(
      '-c default_transaction_read_only=on -c statement_timeout=5000',
    );
    expect(serverOptions({})).toBeUndefined();
  });

  it('DATABASE_READ_URL is optional and validated like DATABASE_URL', () => {
    expect(loadConfig({}).DATABASE_READ_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_READ_URL: 'postgres://u@replica:5432/kezek' }).DATABASE_READ_URL).toBe('postgres://u@replica:5432/kezek');
    expect(() => loadConfig({ DATABASE_READ_URL: 'mysql://replica/kezek' })).toThrow(
      new ConfigError('Invalid configuration: DATABASE_READ_URL must be a postgres:// or postgresql:// URL'),
    );
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://' })).toThrow(/DATABASE_READ_URL must be a postgres/);
  });
});
