// ESLint: typescript-eslint's recommended rules, React hooks, no import cycles, and the layers of the tree
// (VS Code-style: a folder says where its code may run, and imports flow one way). `npm run lint`.
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The layers. Each entry: files, and the import patterns they may not use (with the reason shown on a hit). */
const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const outside = (group, message) => ({ group, message });

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'test-results/',
      'playwright-report/',
      'bench/.cache/',
      'assets/examples/**/*.js',
      'runtime/testing/corpus/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] })] },
    rules: {
      'import-x/no-cycle': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // The VS Code extension is CommonJS: VS Code loads extensions with require, and `vscode` exists only that way.
  {
    files: ['editors/vscode/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  // runtime/: plain Node, no GUI. It knows nothing of the Studio, Electron or the renderer.
  layer(
    ['runtime/**/*.ts'],
    [
      outside(
        ['**/studio/**', '**/electron/**', '**/renderer/**'],
        'runtime/ is plain Node: no Studio, Electron or renderer.',
      ),
    ],
  ),
  // runtime/dap/ (`theater dap`) and runtime/regress/ (`theater test`) are front ends like the Studio: the rest of the
  // runtime only through runtime/index.ts, so they keep working over any store behind that API. (This entry replaces
  // the one above for these files, so it repeats its patterns.) Their tests may build fixtures from anything.
  layer(
    ['runtime/dap/**/*.ts', 'runtime/regress/**/*.ts'],
    [
      outside(
        ['../**', '!../index.ts', '**/runtime/**', '!**/runtime/index.ts'],
        'theater dap and theater test use the runtime through its public API, runtime/index.ts (add what you need there).',
      ),
      outside(
        ['**/studio/**', '**/electron/**', '**/renderer/**'],
        'runtime/ is plain Node: no Studio, Electron or renderer.',
      ),
    ],
    ['**/*.test.ts'],
  ),
  // studio/ (service, web host, contract) and electron/ (the shell): the runtime only through its public API.
  layer(
    ['studio/**/*.ts', 'electron/**/*.ts'],
    [
      outside(
        ['**/runtime/**', '!**/runtime/index.ts'],
        'Use the runtime through its public API, runtime/index.ts (add what you need there).',
      ),
      outside(['**/renderer/**'], 'The renderer is a client of the contract, never imported.'),
    ],
  ),
  // Their tests may also use the runtime's test helpers (temp dirs, a real PostgreSQL), never its internals.
  layer(
    ['studio/**/*.test.ts'],
    [
      outside(
        ['**/runtime/**', '!**/runtime/index.ts', '!**/runtime/testing', '!**/runtime/testing/**'],
        'Use the runtime through its public API, runtime/index.ts (tests: and runtime/testing/).',
      ),
      outside(['**/renderer/**'], 'The renderer is a client of the contract, never imported.'),
    ],
  ),
  // The contract is shared with the renderer: types and constants only, no imports at all of runtime or Node.
  layer(
    ['studio/contract.ts'],
    [outside(['**/runtime/**', '**/service/**', '**/web/**', 'node:*'], 'The contract is types and constants only.')],
  ),
  // renderer/: browser code; of the rest of the tree it sees only the contract.
  layer(
    ['renderer/**/*.{ts,tsx}'],
    [
      outside(
        ['**/runtime/**', '**/electron/**', '**/studio/**', '!**/studio/contract.ts', 'node:*'],
        'The renderer talks only to the StudioApi contract (studio/contract.ts).',
      ),
    ],
  ),
);
