import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { isUnavailable } from '../errors/format-error.js';
import { createDataSource, describeDatabaseUrl } from './data-source.js';

/** After a failure the replica is left alone this long (its reads go to the primary), then tried again. */
export const REPLICA_RETRY_MS = 5000;
const REPLICA_POOL_SIZE = 10;
const REPLICA_CONNECT_TIMEOUT_MS = 2000;
/**
 * The replica's reads are small (one queue, one bulletin day): one that takes longer than this is cancelled
 * by the replica itself (57014) and done again on the primary. A replica that stops answering altogether
 * is noticed by TCP keep-alive.
 */
export const REPLICA_STATEMENT_TIMEOUT_MS = 5000;

/**
 * Errors that say the replica cannot serve right now, rather than that the read itself is wrong: those
 * of an unreachable database (`isUnavailable`), and a query cancelled by a conflict with WAL replay
 * (40001 on a standby; the read paths never run SERIALIZABLE) or by the replica's statement timeout (57014).
 */
export function replicaUnavailable(e: unknown): boolean {
  const code =
    (e as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ?? (e as { code?: unknown } | null)?.code;
  return isUnavailable(e) || code === '40001' || code === '57014';
}

/** Code and first line of a connection error: no query text, no parameters. */
function errorSummary(e: unknown): { code?: string; err: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  const driver = (err as { driverError?: unknown }).driverError;
  const src = driver instanceof Error ? driver : err;
  const code = (src as { code?: unknown }).code;
  return { ...(typeof code === 'string' ? { code } : {}), err: src.message.split('\n')[0] };
}

export interface ReadOptions {
  /**
   * Errors of a read answered by the replica that the primary should confirm, e.g. NOT_FOUND of a row
   * written a moment ago that the replica has not replayed yet.
   */
  confirmOnPrimary?: (e: unknown) => boolean;
}

/**
 * Where the public reads that tolerate replica lag go (queuePosition, bulletins, today's open data).
 * With DATABASE_READ_URL: a small read-only pool on the replica (`application_name` kezek-read);
 * without it, `dataSource` is the primary DataSource itself. Writes and reads that must see their own
 * writes use the primary DataSource, never this.
 *
 * A replica that is down, restarting, unreachable or cancels a read never fails that read: `run` does
 * it again on the primary, logs a warning (address and error only) and counts it in
 * kezek_read_replica_fallbacks_total; for REPLICA_RETRY_MS after a failure the reads go straight to the
 * primary (counted too), then the replica is tried again.
 */
export class ReadDataSource {
  private readonly log = new Logger('ReadDataSource');
  private replica: DataSource | null = null;
  private connecting: Promise<DataSource | Error> | null = null;
  /** Until when (ms since epoch) reads skip the replica after a failure. */
  private retryAt = 0;
  private failing = false;
  private closed = false;
  private fallbacks: { inc(): void } | null = null;

  private constructor(
    readonly primary: DataSource,
    private readonly url: string | undefined,
  ) {}

  /** With a URL, connects to the replica now; a replica that does not answer is only reported (`log`). */
  static async open(primary: DataSource, url: string | undefined, log: (m: string) => void = () => undefined): Promise<ReadDataSource> {
    const reads = new ReadDataSource(primary, url);
    if (url) {
      const c = await reads.connect();
      if (c instanceof Error) {
        reads.markFailing();
        log(`read replica at ${reads.where()} does not answer (${errorSummary(c).err}); its reads use the primary until it does`);
      }
    }
    return reads;
  }

  /** True when DATABASE_READ_URL is set. */
  get replicated(): boolean {
    return this.url !== undefined;
  }

  /** The replica's DataSource once connected; the primary when there is no replica. */
  get dataSource(): DataSource {
    return this.url === undefined ? this.primary : (this.replica ?? this.primary);
  }

  /** Counts every read served by the primary because the replica could not (Metrics wires it). */
  countFallbacksIn(counter: { inc(): void }): void {
    this.fallbacks = counter;
  }

  /** Runs `read` on the replica, or on the primary when there is none or it cannot serve. */
  async run<T>(read: (db: DataSource) => Promise<T>, opts: ReadOptions = {}): Promise<T> {
    if (this.url === undefined) return read(this.primary);
    if (Date.now() < this.retryAt) return this.fallBack(read);
    const replica = this.replica ?? (await this.connect());
    if (replica instanceof Error) {
      this.failed(replica);
      return this.fallBack(read);
    }
    let out: T;
    try {
      out = await read(replica);
    } catch (e) {
      if (replicaUnavailable(e)) {
        this.failed(e);
        return this.fallBack(read);
      }
      if (opts.confirmOnPrimary?.(e)) return read(this.primary);
      throw e;
    }
    if (this.failing) {
      this.failing = false;
      this.log.log({ replica: this.where() }, 'read replica answers again');
    }
    return out;
  }

  /** For /health: whether the replica answers `SELECT 1` within `timeoutMs` (null without a replica). */
  async probe(timeoutMs: number): Promise<{ up: boolean; message?: string } | null> {
    if (this.url === undefined) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    try {
      const replica = this.replica ?? (await Promise.race([this.connect(), timeout]));
      if (replica instanceof Error) throw replica;
      await Promise.race([replica.query('SELECT 1'), timeout]);
      return { up: true };
    } catch (e) {
      return { up: false, message: errorSummary(e).err };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const replica = this.replica;
    this.replica = null;
    if (replica?.isInitialized) await replica.destroy();
  }

  private fallBack<T>(read: (db: DataSource) => Promise<T>): Promise<T> {
    this.fallbacks?.inc();
    return read(this.primary);
  }

  private failed(e: unknown): void {
    // One warning per retry period, however many reads were in flight.
    if (Date.now() >= this.retryAt) {
      this.log.warn(
        { replica: this.where(), ...errorSummary(e), retryInMs: REPLICA_RETRY_MS },
        'read replica unavailable: its reads go to the primary',
      );
    }
    this.markFailing();
  }

  private markFailing(): void {
    this.failing = true;
    this.retryAt = Date.now() + REPLICA_RETRY_MS;
  }

  /** Opens the replica's pool (one attempt shared by concurrent callers); the error if it does not answer. */
  private connect(): Promise<DataSource | Error> {
    const url = this.url;
    if (url === undefined || this.closed) return Promise.resolve(new Error('no read replica'));
    this.connecting ??= (async () => {
      const ds = createDataSource(url, REPLICA_POOL_SIZE, {
        applicationName: 'kezek-read',
        readOnly: true,
        connectTimeoutMs: REPLICA_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: REPLICA_STATEMENT_TIMEOUT_MS,
        keepAlive: true,
      });
      try {
        await ds.initialize();
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
      if (this.closed) {
        await ds.destroy();
        return new Error('closed');
      }
      this.replica = ds;
      return ds;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private where(): string {
    return describeDatabaseUrl(this.url ?? '', 'DATABASE_READ_URL');
  }
}
