import { Logger } from '@nestjs/common';
import { maskPhone } from '../../platform/identifiers/phone.js';
import { SmsGateway, SmsSendError, type DeliveryReport, type SmsSendResult } from '../ports/sms-gateway.js';
import { httpCall, safeProviderMessage } from './http-call.js';
import {
  classifyMobizonCode,
  formEncode,
  mobizonDeliveryState,
  mobizonRecipient,
  parseMobizonAnswer,
  type MobizonAnswer,
} from './mobizon-protocol.js';

export interface MobizonOptions {
  apiKey: string;
  /** Region API server, e.g. https://api.mobizon.kz */
  baseUrl: string;
  /** Registered alphaname; the account's default when absent. */
  sender?: string;
  timeoutMs: number;
}

const LIST_PAGE_SIZE = 100;
const LIST_MAX_PAGES = 5;
const STATUS_BATCH = 100;

/**
 * Mobizon (mobizon.kz) adapter: message/sendsmsmessage to send, message/list to find a message a
 * timed-out attempt may have left (Mobizon has no idempotency key), message/getsmsstatus for delivery.
 * Logs only masked numbers and lengths; the API key travels in the query string as the API requires,
 * so URLs are never logged.
 */
export class MobizonSmsGateway extends SmsGateway {
  readonly name = 'mobizon';
  private readonly log = new Logger('Sms');

  constructor(private readonly o: MobizonOptions) {
    super();
  }

  async send(to: string, text: string, idempotencyKey: string): Promise<SmsSendResult> {
    const answer = await this.call('sendsmsmessage', {
      recipient: mobizonRecipient(to),
      text,
      from: this.o.sender,
    });
    this.check(answer, 'send');
    const data = (answer.data ?? {}) as { messageId?: unknown; campaignId?: unknown };
    const id = data.messageId ?? data.campaignId;
    const providerMessageId = typeof id === 'number' || typeof id === 'string' ? String(id) : `mobizon:${idempotencyKey}`;
    this.log.log({ to: maskPhone(to), chars: text.length, key: idempotencyKey, providerMessageId }, 'sms accepted by mobizon');
    return { providerMessageId };
  }

  override async findSent(to: string, text: string, exclude: ReadonlySet<string>): Promise<SmsSendResult | null> {
    const recipient = mobizonRecipient(to);
    for (let page = 0; page < LIST_MAX_PAGES; page++) {
      const answer = await this.call('list', {
        'criteria[to]': recipient,
        'pagination[currentPage]': page,
        'pagination[pageSize]': LIST_PAGE_SIZE,
      });
      this.check(answer, 'list');
      const data = (answer.data ?? {}) as { items?: unknown; totalItemCount?: unknown };
      const items = Array.isArray(data.items) ? (data.items as { id?: unknown; to?: unknown; text?: unknown }[]) : [];
      for (const m of items) {
        const id = typeof m.id === 'number' || typeof m.id === 'string' ? String(m.id) : null;
        const mTo = typeof m.to === 'string' || typeof m.to === 'number' ? String(m.to) : '';
        if (id && !exclude.has(id) && mobizonRecipient(mTo) === recipient && m.text === text) {
          return { providerMessageId: id };
        }
      }
      const total = Number(data.totalItemCount ?? items.length);
      if (items.length < LIST_PAGE_SIZE || (page + 1) * LIST_PAGE_SIZE >= total) return null;
    }
    // More messages to this number than we page through: cannot tell, so do not risk a double.
    throw new SmsSendError('mobizon: too many messages to this number to check for an earlier send', false);
  }

  override async deliveryReports(providerMessageIds: string[]): Promise<DeliveryReport[]> {
    const out: DeliveryReport[] = [];
    for (let i = 0; i < providerMessageIds.length; i += STATUS_BATCH) {
      const answer = await this.call('getsmsstatus', {
        ids: providerMessageIds.slice(i, i + STATUS_BATCH),
      });
      this.check(answer, 'status');
      const rows = Array.isArray(answer.data) ? (answer.data as { id?: unknown; status?: unknown }[]) : [];
      for (const r of rows) {
        if (r.id === undefined || typeof r.status !== 'string') continue;
        out.push({
          providerMessageId: String(r.id as string | number),
          state: mobizonDeliveryState(r.status),
          providerStatus: r.status,
        });
      }
    }
    return out;
  }

  private check(answer: MobizonAnswer, what: string): void {
    const outcome = classifyMobizonCode(answer.code);
    if (outcome === 'ok') return;
    throw new SmsSendError(`mobizon ${what}: code ${answer.code} ${safeProviderMessage(answer.message)}`.trim(), outcome === 'permanent');
  }

  private async call(
    method: 'sendsmsmessage' | 'list' | 'getsmsstatus',
    params: Record<string, string | number | readonly string[] | undefined>,
  ): Promise<MobizonAnswer> {
    const query = new URLSearchParams({ output: 'json', api: 'v1', apiKey: this.o.apiKey });
    const url = `${this.o.baseUrl.replace(/\/+$/, '')}/service/message/${method}?${query.toString()}`;
    const reply = await httpCall(
      'mobizon',
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: formEncode(params),
      },
      this.o.timeoutMs,
    );
    const answer = parseMobizonAnswer(reply.body);
    if (answer) return answer;
    // Not an API answer (proxy, outage page): judge by the HTTP status alone.
    const s = reply.status;
    const retry = s >= 500 || s === 408 || s === 429 || s < 400;
    throw new SmsSendError(`mobizon ${method}: HTTP ${s} without an API answer`, !retry, s === 502 || s === 504 || s < 400);
  }
}
