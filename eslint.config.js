// npm run lint (TypeScript part): typescript-eslint's recommended rules over lib, test,
// examples and bench. Type-aware rules are left to `tsc --noEmit` (strict), which lint runs too.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'docs/**', 'node_modules/**', 'lib/*.generated.ts', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // C ports keep C's names and shapes; these rules fight that on purpose-built code.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      'prefer-const': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The lecture's programs, ported line for line: C's `int n; n = write(...)`, `==` and
    // variables declared before use stay as the C has them.
    files: ['examples/seed/**/*.ts', 'examples/async-seed-server.ts'],
    rules: { 'prefer-const': 'off', eqeqeq: 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'Buffer', 'AbortController', 'setTimeout', 'clearTimeout', 'setImmediate', 'URL']
          .map((g) => [g, 'readonly'])),
    },
  },
);
