/** Jest in ESM mode (Nest 12 is pure ESM), TypeScript through @swc/jest. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  // @nestjs/throttler is CommonJS and require()s ESM-only Nest: bridged for Jest (test/utils/esm-bridge).
  resolver: '<rootDir>/test/utils/esm-bridge/resolver.cjs',
  setupFilesAfterEnv: ['<rootDir>/test/utils/esm-bridge/setup.ts'],
};
export default {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    {
      // Fault injection and multi-process load (minutes each): `npm run test:slow`, also run by .ci/run.
      ...common,
      displayName: 'slow',
      testMatch: ['<rootDir>/test/slow/**/*.slow-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
