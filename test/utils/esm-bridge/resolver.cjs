'use strict';
/**
 * Jest resolver: CommonJS packages that require() Nest's ESM-only packages (@nestjs/throttler) get a
 * CommonJS bridge to the very same ESM module instances (see bridge.cjs, setup.ts). Jest on Node < 24.9
 * cannot require() an ES module; plain Node 20.19+ can, so the built server needs none of this.
 */
const { join, sep } = require('node:path');

const BRIDGED = new Set(['@nestjs/common', '@nestjs/core']);
const FROM = [`${sep}node_modules${sep}@nestjs${sep}throttler${sep}`];

module.exports = (request, options) => {
  if (BRIDGED.has(request) && FROM.some((f) => `${options.basedir}${sep}`.includes(f))) {
    return join(__dirname, `bridge-${request.split('/')[1]}.cjs`);
  }
  return options.defaultResolver(request, options);
};
