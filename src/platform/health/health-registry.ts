/**
 * Advisory health checks a concept module registers (platform imports no concept module: the module hands
 * its check in). Each shows in `GET /health` (and `/health/serving`) details under its key, always with
 * status "up": an advisory finding (e.g. "next year's working calendar is not confirmed") is for the
 * operators, not a reason for a load balancer to take the process out of rotation.
 */
export interface AdvisoryHealthCheck {
  /** The key in the `/health` details, e.g. `calendar`. */
  key: string;
  /** The details to show; a thrown error is shown as `{ message }` (still "up"). */
  details(): Promise<Record<string, unknown>>;
}

export class HealthRegistry {
  private readonly checks = new Map<string, AdvisoryHealthCheck>();

  /** Registers (or replaces) the check of `check.key`. */
  register(check: AdvisoryHealthCheck): void {
    this.checks.set(check.key, check);
  }

  list(): AdvisoryHealthCheck[] {
    return [...this.checks.values()];
  }
}
