'use strict';
/** The ESM namespace of @nestjs/common that test/utils/esm-bridge/setup.ts loaded (see resolver.cjs). */
const ns = globalThis.__kezekEsmBridge?.['@nestjs/common'];
if (!ns) throw new Error('test/utils/esm-bridge/setup.ts did not run (jest setupFilesAfterEnv)');
module.exports = ns;
