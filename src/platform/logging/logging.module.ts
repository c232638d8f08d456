import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { EnvConfig } from '../config/config.js';
import { safeError } from '../errors/safe-error.js';

/**
 * Structured JSON logs (pino) with a request id (X-Request-Id, echoed back). Only method, path
 * (no query string), status and timing are logged: never bodies, headers or personal data.
 */
export function loggingModule(config: EnvConfig): ReturnType<typeof LoggerModule.forRoot> {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
        // Any Error logged anywhere: type, redacted message, code, stack; never SQL parameters or driver details.
        err: (err: unknown) => (err instanceof Error ? safeError(err) : err),
      },
      redact: { paths: ['req.headers', 'res.headers', '*.phone', '*.iin', '*.childIin', '*.applicantIin'], remove: true },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
    },
  });
}
