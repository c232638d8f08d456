/**
 * Transport-neutral error codes (API.md "Errors"); mapped once to `extensions.code`. SERVICE_UNAVAILABLE:
 * the database (or job backend) cannot be reached right now; nothing was changed unless the answer was
 * lost on the way, and the caller retries (a retried registration then meets CONFLICT if it had landed).
 */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'SERVICE_UNAVAILABLE';

/** One validation problem of a request (`extensions.fields`): the field's path, a stable reason code, the message. */
export interface FieldProblem {
  field: string;
  reason: string;
  message: string;
}

export class AppError extends Error {
  /** Every validation problem of the request, when more than the first is known (the first is `field`/message). */
  fields?: FieldProblem[];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badInput = (field: string, problem: string): AppError => new AppError('BAD_USER_INPUT', `${field}: ${problem}`, field);
export const notFound = (what: string, id: string): AppError => new AppError('NOT_FOUND', `${what} ${id} not found`, 'id');
export const conflict = (message: string, field?: string): AppError => new AppError('CONFLICT', message, field);
export const forbidden = (message = 'you are not allowed to do this'): AppError => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'authentication required'): AppError => new AppError('UNAUTHENTICATED', message);

export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
