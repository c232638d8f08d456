import { type ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { GraphQLError } from 'graphql';
import { AppError, type ErrorCode } from './app-error.js';
import { fromDatabaseError } from './format-error.js';
import { safeError } from './safe-error.js';

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: HttpStatus.BAD_REQUEST,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * Replaces Nest's default exception logging (which logs every thrown error in full, at error level,
 * SQL parameters included). The caller's errors (AppError, HTTP exceptions, GraphQL errors, database
 * constraint violations mapped to CONFLICT/BAD_USER_INPUT) are logged at debug level by code only;
 * anything else at error level through `safeError`. Responses are unchanged: GraphQL errors go on to
 * formatError, HTTP routes get Nest's usual answers.
 */
@Catch()
export class SafeExceptionFilter extends BaseExceptionFilter {
  private readonly log = new Logger('ExceptionsHandler');

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    const expected = this.expected(exception);
    if (expected === 'SERVICE_UNAVAILABLE') this.log.warn({ code: expected }, 'request refused: database unavailable');
    else if (expected) this.log.debug({ code: expected }, 'request refused');
    else this.log.error({ err: safeError(exception) }, 'unexpected error');
    if (host.getType<string>() === 'graphql') return exception; // formatError maps it to extensions.code
    if (exception instanceof HttpException) return super.catch(exception, host);
    // An AppError on an HTTP route gets its status; anything else Nest's 500, without the full-error log line.
    const applicationRef = this.applicationRef ?? this.httpAdapterHost?.httpAdapter;
    const response: unknown = host.getArgByIndex(1);
    const known = exception instanceof AppError ? exception : fromDatabaseError(exception);
    const status = known ? HTTP_STATUS[known.code] : HttpStatus.INTERNAL_SERVER_ERROR;
    const body = known
      ? { statusCode: status, message: known.message, code: known.code }
      : { statusCode: status, message: 'Internal server error' };
    if (applicationRef && !applicationRef.isHeadersSent(response)) applicationRef.reply(response, body, status);
    else applicationRef?.end(response);
    return undefined;
  }

  /** The error code when the error is the caller's (not a fault of the service), else null. */
  private expected(e: unknown): string | null {
    if (e instanceof AppError) return e.code;
    if (e instanceof HttpException) return e.getStatus() < 500 ? String(e.getStatus()) : null;
    if (e instanceof GraphQLError) return typeof e.extensions?.code === 'string' ? e.extensions.code : 'GRAPHQL';
    return fromDatabaseError(e)?.code ?? null;
  }
}
