import { Logger } from '@nestjs/common';
import { maskPhone } from '../../platform/identifiers/phone.js';
import { SmsGateway, SmsSendError, type SmsSendResult } from '../ports/sms-gateway.js';
import { httpCall } from './http-call.js';

export interface HttpSmsOptions {
  url: string;
  token?: string;
  timeoutMs: number;
}

/**
 * Generic HTTP provider: `POST {to, text, idempotencyKey}` as JSON to SMS_HTTP_URL with
 * `Authorization: Bearer SMS_HTTP_TOKEN` (and the key also as an `Idempotency-Key` header).
 * 2xx = accepted (message id from the body's `id`/`messageId`); 4xx = rejected for good, except 408
 * and 429 which ask us to come back later; 5xx, timeouts and network errors are retried. The provider
 * deduplicates by the key, so a resend after a timeout cannot double a message (never `uncertain`).
 */
export class HttpSmsGateway extends SmsGateway {
  readonly name = 'http';
  private readonly log = new Logger('Sms');

  constructor(private readonly o: HttpSmsOptions) {
    super();
  }

  async send(to: string, text: string, idempotencyKey: string): Promise<SmsSendResult> {
    let reply;
    try {
      reply = await httpCall(
        'sms http',
        this.o.url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'idempotency-key': idempotencyKey,
            ...(this.o.token ? { authorization: `Bearer ${this.o.token}` } : {}),
          },
          body: JSON.stringify({ to, text, idempotencyKey }),
        },
        this.o.timeoutMs,
      );
    } catch (e) {
      if (e instanceof SmsSendError) throw new SmsSendError(e.message, e.permanent, false);
      throw e;
    }
    const s = reply.status;
    if (s >= 200 && s < 300) {
      const providerMessageId = messageIdOf(reply.body) ?? `http:${idempotencyKey}`;
      this.log.log({ to: maskPhone(to), chars: text.length, key: idempotencyKey, providerMessageId }, 'sms accepted by http provider');
      return { providerMessageId };
    }
    const permanent = s >= 400 && s < 500 && s !== 408 && s !== 429;
    throw new SmsSendError(`sms http: HTTP ${s}`, permanent, false);
  }
}

function messageIdOf(body: string): string | null {
  try {
    const v = JSON.parse(body) as {
      id?: unknown;
      messageId?: unknown;
      providerMessageId?: unknown;
    } | null;
    const id = v?.id ?? v?.messageId ?? v?.providerMessageId;
    return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 200) : null;
  } catch {
    return null;
  }
}
