/** Port for sending text messages; adapters: log (development), Mobizon, generic HTTP. */
export interface SmsSendResult {
  providerMessageId: string;
}

/** What the provider knows about a sent message: still on its way, delivered, or finally not delivered. */
export type DeliveryState = 'PENDING' | 'DELIVERED' | 'UNDELIVERED';

export interface DeliveryReport {
  providerMessageId: string;
  state: DeliveryState;
  /** The provider's own status word (e.g. Mobizon `DELIVRD`), for the record. */
  providerStatus: string;
}

/**
 * A failed send. `permanent` errors are final (bad number, text rejected by the provider); others are
 * retried with backoff. `uncertain` means the provider may have accepted the message anyway (the
 * request timed out or the connection broke after it was sent) and a blind resend could double it:
 * the retry waits for the provider to settle and first asks it (`findSent`).
 */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly uncertain = false,
  ) {
    super(message);
    this.name = 'SmsSendError';
  }
}

export abstract class SmsGateway {
  abstract readonly name: string;

  /** Sends one text. Adapters never log the number or the text (use maskPhone). */
  abstract send(to: string, text: string, idempotencyKey: string): Promise<SmsSendResult>;

  /**
   * For providers without idempotency keys: before a retry, the message this text already became at
   * the provider (same recipient and text, not one of `exclude`), or null when there is none.
   * Throws when the provider cannot tell (then the retry does not send, so nothing is doubled).
   */
  findSent?(to: string, text: string, exclude: ReadonlySet<string>): Promise<SmsSendResult | null>;

  /** Delivery reports of sent messages, for providers that can be polled. */
  deliveryReports?(providerMessageIds: string[]): Promise<DeliveryReport[]>;
}
