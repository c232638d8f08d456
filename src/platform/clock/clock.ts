/** The one source of time. Inject `Clock`; never call `new Date()` in services or domain code. */
export abstract class Clock {
  abstract now(): Date;
  abstract readonly simulated: boolean;
}

export class SystemClock extends Clock {
  readonly simulated = false;
  now(): Date {
    return new Date();
  }
}

/**
 * Simulated time: runs on from `base` at real speed, so events keep their order after a jump.
 * The state is shared through the database (clock_state) so API and worker processes agree.
 */
export class SimulatedClock extends Clock {
  readonly simulated = true;
  constructor(
    private base: number,
    private anchor: number,
  ) {
    super();
  }
  now(): Date {
    return new Date(this.base + (Date.now() - this.anchor));
  }
  set(base: number, anchor: number): void {
    this.base = base;
    this.anchor = anchor;
  }
}
