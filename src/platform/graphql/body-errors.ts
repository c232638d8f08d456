import type { ErrorRequestHandler } from 'express';

/**
 * Errors of the JSON body parser on POST /graphql, answered as GraphQL errors with a code (the
 * status stays 413 or 400): a body over MAX_BODY_BYTES is PAYLOAD_TOO_LARGE, malformed JSON is
 * BAD_USER_INPUT. Nothing of the body is echoed. Other routes keep the default handling.
 */
export function graphqlBodyErrors(maxBytes: number): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const e = err as { type?: string; status?: number } | null;
    if (!req.path.startsWith('/graphql') || typeof e?.type !== 'string') {
      next(err);
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({
        errors: [{ message: `request body too large: at most ${maxBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes } }],
      });
    } else if (e.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }] });
    } else if (e.status && e.status >= 400 && e.status < 500) {
      res
        .status(e.status)
        .json({ errors: [{ message: 'request body could not be read', extensions: { code: 'BAD_USER_INPUT', reason: e.type } }] });
    } else {
      next(err);
    }
  };
}
