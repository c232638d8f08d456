import { createHash, timingSafeEqual } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Post,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { ProactiveService, type InboundOutcome } from './proactive.service.js';

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * `POST /sms/inbound`: replies from the SMS provider, JSON `{"from": "+77…", "text": "…"}` with header
 * `X-Inbound-Token: $SMS_INBOUND_TOKEN` (API.md). A wrong token gets 401 and changes nothing; without a
 * configured token the webhook is off (503). Answers 200 `{"status": …}`: accepted, refused, help (not
 * an answer: a help text goes out), no_offer (no live offer to that phone), failed (the answer could not
 * be applied). Nothing of the body is logged.
 */
@Controller('sms')
export class SmsInboundController {
  constructor(
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
    private readonly proactive: ProactiveService,
  ) {}

  @Post('inbound')
  @HttpCode(200)
  async inbound(@Headers('x-inbound-token') token: string | undefined, @Body() body: unknown): Promise<{ status: InboundOutcome }> {
    const expected = this.config.SMS_INBOUND_TOKEN;
    if (!expected) {
      throw new ServiceUnavailableException('inbound SMS is not configured (SMS_INBOUND_TOKEN)');
    }
    if (typeof token !== 'string' || !sameSecret(token, expected)) {
      throw new UnauthorizedException('X-Inbound-Token is missing or wrong');
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as {
      from?: unknown;
      text?: unknown;
    };
    if (typeof b.from !== 'string' || b.from.length > 40) {
      throw new BadRequestException('from: must be a phone number');
    }
    if (typeof b.text !== 'string' || b.text.length > 2000) {
      throw new BadRequestException('text: must be a string of at most 2000 characters');
    }
    const r = await this.proactive.inbound(b.from, b.text);
    return { status: r.status };
  }
}
