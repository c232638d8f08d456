import { boot } from '../boot.js';
import { ConfigError } from '../config/config.js';

/** `npm run migration:run`: applies pending migrations (embedded PostgreSQL or DATABASE_URL) and exits. */
async function main(): Promise<void> {
  try {
    const ctx = await boot(process.env, (m) => process.stdout.write(`${m}\n`));
    const rows: { name: string }[] = await ctx.dataSource.query(`SELECT name FROM typeorm_migrations ORDER BY id`);
    process.stdout.write(`database is at: ${rows.map((r) => r.name).join(', ')}\n`);
    await ctx.shutdown();
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    process.exit(1);
  }
}

void main();
