import pg from 'pg';

/** Drops every database this run created, then stops the embedded server (if ours). */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.KEZEK_TEST_ADMIN_URL;
  const run = process.env.KEZEK_TEST_RUN;
  if (adminUrl && run) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const dbs: { datname: string }[] = (await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`%${run}%`])).rows;
    for (const { datname } of dbs) {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    await admin.end();
  }
  await (globalThis as { __kezekEmbedded?: { stop(): Promise<void> } | null }).__kezekEmbedded?.stop();
}
