// ESLint flat config: type-aware rules (async bugs, exhaustive switches, no any) and module boundaries.
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

/**
 * Platform code that domain code must not import: all of it except the pure helpers. (gitignore rules: a
 * file inside an excluded folder is only allowed once its folder is allowed again.)
 */
const DOMAIN_MAY_NOT_IMPORT_PLATFORM = [
  '../../platform/*',
  '!../../platform/identifiers',
  '!../../platform/clock',
  '../../platform/clock/*',
  '!../../platform/clock/time-zone*',
];

/** The concept modules: every folder of src/ but platform/ (read here, so a new module is covered). Platform may import none. */
const CONCEPT_MODULES = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'platform')
  .map((d) => d.name);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.kezek/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // String enums mirror the SQL text values; comparing them with the literal is intended.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
  {
    // Nest resolves providers by the runtime class: constructor parameter types must be value imports.
    files: ['src/**/*.ts'],
    ignores: ['src/**/domain/**'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // Pure domain code, and the pure platform helpers it may use (identifiers, the time zone).
    files: ['src/*/domain/**/*.ts', 'src/platform/identifiers/**/*.ts', 'src/platform/clock/time-zone.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'bullmq', 'ioredis', 'class-validator', 'pg', 'express'],
              message: 'domain/ is pure TypeScript: no framework, ORM or queue imports',
            },
            {
              group: ['../*.entity*', '../*.service*', '../*.resolver*', '../../*/*.service*', ...DOMAIN_MAY_NOT_IMPORT_PLATFORM],
              message: 'domain/ must not import services, entities or platform glue',
            },
          ],
        },
      ],
    },
  },
  {
    // Platform is framework glue: concept modules depend on it, never the other way round (a concept
    // module supplies what platform needs as a parameter or provider, e.g. the job dashboard's authorizer).
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: CONCEPT_MODULES.flatMap((m) => [`../${m}/*`, `../../${m}/*`, `../../../${m}/*`, `../../../../${m}/*`]),
              message: 'platform/ must not import a concept module: take what it needs as a parameter or an injected token',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
