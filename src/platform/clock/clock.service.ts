import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { Clock, SimulatedClock, SystemClock } from './clock.js';

/**
 * Provides the process clock. With SIMULATION=1 the clock is simulated and its state lives in
 * `clock_state`, so every process (API, workers) reads the same time; each refreshes it every second.
 */
@Injectable()
export class ClockService extends Clock implements OnModuleInit, OnModuleDestroy {
  private readonly sim: SimulatedClock | null;
  private readonly system = new SystemClock();
  private timer: NodeJS.Timeout | null = null;
  /** The clock_state last applied: a read that finishes late must not move the clock back. */
  private seen: { base: number; anchor: number } | null = null;

  constructor(
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
    private readonly ds: DataSource,
  ) {
    super();
    this.sim = config.SIMULATION ? new SimulatedClock(Date.now(), Date.now()) : null;
  }

  get simulated(): boolean {
    return this.sim !== null;
  }

  now(): Date {
    return this.sim ? this.sim.now() : this.system.now();
  }

  async onModuleInit(): Promise<void> {
    if (!this.sim) return;
    const start = this.config.SIMULATION_START ? new Date(this.config.SIMULATION_START) : new Date();
    await this.ds.query(`INSERT INTO clock_state (id, sim_base, real_anchor) VALUES (1, $1, now()) ON CONFLICT (id) DO NOTHING`, [start]);
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    if (!this.sim) return;
    const rows: { base: Date; anchor: Date; dbnow: Date }[] = await this.ds.query(
      `SELECT sim_base AS base, real_anchor AS anchor, now() AS dbnow FROM clock_state WHERE id = 1`,
    );
    if (!rows[0]) return;
    const base = rows[0].base.getTime();
    const anchor = rows[0].anchor.getTime();
    // real_anchor is the database's now() of each move: an older state read late is ignored, and an
    // unchanged one keeps its mapping (re-deriving the skew on every read would make the clock jitter).
    if (this.seen && (anchor < this.seen.anchor || (anchor === this.seen.anchor && base === this.seen.base))) return;
    this.seen = { base, anchor };
    // Anchor on the database's real time, then map onto this process's real clock.
    const skew = Date.now() - rows[0].dbnow.getTime();
    this.sim.set(base, anchor + skew);
  }

  /** Moves the simulated clock forward to `to` (it then runs on from there). */
  async setSimulated(to: Date): Promise<Date> {
    if (!this.sim) throw new AppError('FORBIDDEN', 'advanceClock: the clock can only be moved when SIMULATION=1');
    const current = this.now();
    if (to.getTime() < current.getTime()) {
      throw new AppError('BAD_USER_INPUT', `to: must not be before the current time ${current.toISOString()}`, 'to');
    }
    await this.ds.query(`UPDATE clock_state SET sim_base = $1, real_anchor = now() WHERE id = 1`, [to]);
    await this.refresh();
    return to;
  }
}
