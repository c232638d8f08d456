import { conflict } from './app-error.js';

/** What a pure state machine (a module's `domain/*-state.ts`) answers for one change. */
export type Step<S extends string> = { ok: true; next: S } | { ok: false; reason: string };

/** The next status, or a CONFLICT error naming `what` (a store refuses a change its state machine forbids). */
export function mustStep<S extends string>(step: Step<S>, what: string, field?: string): S {
  if (!step.ok) throw conflict(`${what}: ${step.reason}`, field);
  return step.next;
}

/** The statuses a change applies to, as an SQL list literal for a set-based guard (`status IN (...)`). */
export function sqlStatuses(statuses: readonly string[]): string {
  return `(${statuses.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')})`;
}
