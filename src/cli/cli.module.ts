import { type DynamicModule, type LoggerService, Module } from '@nestjs/common';
import { DOMAIN_MODULES } from '../api.module.js';
import type { BootContext } from '../platform/boot.js';
import { PlatformModule } from '../platform/platform.module.js';

/**
 * The domain services for one-off operator commands: like the worker's module but WITHOUT WorkerModule,
 * so no BullMQ worker starts and no job schedule is touched (a command that enqueues jobs leaves them
 * to the running workers). No HTTP, no GraphQL.
 */
@Module({})
export class CliModule {
  static forRoot(ctx: BootContext): DynamicModule {
    return { module: CliModule, imports: [PlatformModule.forRoot(ctx), ...DOMAIN_MODULES] };
  }
}

/** Nest's and the services' log lines go to stderr (stdout is the command's result): warnings and errors, all with --verbose. */
export class StderrLogger implements LoggerService {
  constructor(private readonly chatty: boolean) {}

  private write(level: string, message: unknown, params: unknown[]): void {
    const context = params.length && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : '';
    const text = [message, ...params].map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
    process.stderr.write(`${level}${context ? ` [${context}]` : ''} ${text}\n`);
  }

  log(message: unknown, ...params: unknown[]): void {
    if (this.chatty) this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    if (this.chatty) this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    if (this.chatty) this.write('verbose', message, params);
  }
}
