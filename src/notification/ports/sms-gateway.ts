/** Port for sending text messages; adapters: log (development), Mobizon, generic HTTP. */
export interface SmsSendResult {
  providerMessageId: string;
}

/** `permanent` errors are final (bad number, rejected by provider); others are retried with backoff. */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export abstract class SmsGateway {
  abstract readonly name: string;
  abstract send(to: string, text: string, idempotencyKey: string): Promise<SmsSendResult>;
}
