import type { DeliveryState } from '../ports/sms-gateway.js';

/**
 * Mobizon SMS API (https://help.mobizon.com/help/api-docs, region server e.g. api.mobizon.kz):
 * `{server}/service/{module}/{method}?output=json&api=v1&apiKey=KEY`, parameters form-encoded, answer
 * `{"code": N, "data": …, "message": "…"}`. Pure helpers: no I/O.
 */
export interface MobizonAnswer {
  code: number;
  data: unknown;
  message: string;
}

export type MobizonOutcome = 'ok' | 'permanent' | 'retry';

/**
 * API result codes (docs, "API response codes"):
 * 0 done; 100 accepted for background processing (the official PHP client counts it as success);
 * 1 validation error of the submitted data (bad recipient, text, sender); 2 entry not found;
 * 4/5/6 wrong module/method/format; 11 required parameter missing; 12 parameter breaks a restriction —
 * these are about the request itself: sending it again cannot succeed, so they are final.
 * 3 unidentified application error; 8 login failed / session expired; 9 method access error (API access
 * or IP whitelist); 10 server error while saving — transient or account configuration that an operator
 * fixes without touching the message: retried (with backoff, up to SMS_MAX_ATTEMPTS). Unknown codes are
 * retried too: a non-zero code means the message was not accepted, so a retry never doubles it.
 */
const PERMANENT = new Set([1, 2, 4, 5, 6, 11, 12]);

export function classifyMobizonCode(code: number): MobizonOutcome {
  if (code === 0 || code === 100) return 'ok';
  return PERMANENT.has(code) ? 'permanent' : 'retry';
}

/** Parses an answer body; null when it is not a Mobizon JSON answer. */
export function parseMobizonAnswer(body: string): MobizonAnswer | null {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { code?: unknown; data?: unknown; message?: unknown };
  const code = typeof o.code === 'number' ? o.code : typeof o.code === 'string' && /^\d+$/.test(o.code) ? Number(o.code) : null;
  if (code === null) return null;
  return { code, data: o.data ?? null, message: typeof o.message === 'string' ? o.message : '' };
}

/**
 * Message statuses (docs, "List of possible statuses of messages"): NEW, ENQUEUD, ACCEPTD (on the
 * way), PDLIVRD (some segments delivered), DELIVRD (delivered), UNDELIV, REJECTD, EXPIRED, DELETED
 * (final: not delivered).
 */
export function mobizonDeliveryState(status: string): DeliveryState {
  switch (status.toUpperCase()) {
    case 'DELIVRD':
      return 'DELIVERED';
    case 'UNDELIV':
    case 'REJECTD':
    case 'EXPIRED':
    case 'DELETED':
      return 'UNDELIVERED';
    default:
      return 'PENDING';
  }
}

/** Mobizon wants the international number without '+': '+77011234567' → '77011234567'. */
export function mobizonRecipient(phone: string): string {
  return phone.replace(/\D/g, '');
}

/** Form encoding of flat and list parameters (`ids[0]=…&ids[1]=…`, as in the docs' examples). */
export function formEncode(params: Record<string, string | number | readonly (string | number)[] | undefined>): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      (v as readonly (string | number)[]).forEach((x, i) => out.append(`${k}[${i}]`, String(x)));
    } else out.append(k, String(v as string | number));
  }
  return out.toString();
}
