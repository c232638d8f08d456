import { SmsSendError } from '../ports/sms-gateway.js';

/** Network errors that prove the request never reached the provider (so it cannot have been sent). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export interface HttpReply {
  status: number;
  body: string;
}

/**
 * One HTTP request with a hard timeout (AbortSignal.timeout). Transport failures become retryable
 * SmsSendErrors: a timeout or a connection broken mid-request is `uncertain` (the provider may have
 * acted on it), a refused connection or unknown host is not. Never puts the URL (it may hold an API
 * key) or the body in the error.
 */
export async function httpCall(
  provider: string,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<HttpReply> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (e) {
    throw transportError(provider, e, timeoutMs);
  }
  try {
    return { status: res.status, body: await res.text() };
  } catch (e) {
    throw transportError(provider, e, timeoutMs);
  }
}

function transportError(provider: string, e: unknown, timeoutMs: number): SmsSendError {
  const err = e as { name?: string; cause?: { code?: string } } | null;
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new SmsSendError(`${provider}: no answer within ${timeoutMs} ms`, false, true);
  }
  const code = err?.cause?.code ?? 'network error';
  return new SmsSendError(`${provider}: ${code}`, false, !NOT_SENT_CODES.has(code));
}

/** Error text from a provider, safe to store and log: digit runs that could be phone numbers are masked. */
export function safeProviderMessage(message: unknown, max = 160): string {
  const s = typeof message === 'string' ? message : JSON.stringify(message ?? '');
  return s.replace(/\+?\d[\d\s()-]{6,}\d/g, '***').slice(0, max);
}
