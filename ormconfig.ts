import { createDataSource } from './src/platform/database/data-source.js';

/**
 * DataSource for the TypeORM CLI (e.g. `npx typeorm migration:show -d dist/ormconfig.js`).
 * Needs DATABASE_URL; `npm run migration:run` also handles the embedded default.
 */
export default createDataSource(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:54329/kezek');
