import { type ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { GraphQLError } from 'graphql';
import { AppError } from './app-error.js';
import { fromDatabaseError } from './format-error.js';
import { safeError } from './safe-error.js';

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
    if (expected) this.log.debug({ code: expected }, 'request refused');
    else this.log.error({ err: safeError(exception) }, 'unexpected error');
    if (host.getType<string>() === 'graphql') return exception; // formatError maps it to extensions.code
    if (exception instanceof HttpException) return super.catch(exception, host);
    // Any other error on an HTTP route: Nest's 500 answer, without its full-error log line.
    const applicationRef = this.applicationRef ?? this.httpAdapterHost?.httpAdapter;
    const response: unknown = host.getArgByIndex(1);
    if (applicationRef && !applicationRef.isHeadersSent(response)) {
      applicationRef.reply(response, { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' }, HttpStatus.INTERNAL_SERVER_ERROR);
    } else {
      applicationRef?.end(response);
    }
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
