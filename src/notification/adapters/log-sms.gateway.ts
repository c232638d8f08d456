import { Logger } from '@nestjs/common';
import { maskPhone } from '../../platform/identifiers/phone.js';
import { SmsGateway, type SmsSendResult } from '../ports/sms-gateway.js';

/** Development adapter: logs (masked number, length only) and reports success. */
export class LogSmsGateway extends SmsGateway {
  readonly name = 'log';
  private readonly log = new Logger('Sms');
  // eslint-disable-next-line @typescript-eslint/require-await
  async send(to: string, text: string, idempotencyKey: string): Promise<SmsSendResult> {
    this.log.log({ to: maskPhone(to), chars: text.length, key: idempotencyKey }, 'sms (log adapter)');
    return { providerMessageId: `log-${idempotencyKey}` };
  }
}
