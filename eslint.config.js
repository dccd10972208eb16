// ESLint: TypeScript rules, and the import zones that keep process boundaries honest (see README, Architecture).
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Folders, and what each may not import. */
const zones = [
  // The vision core runs in the inference worker, the CLI and tests: no Electron, no service, no UI.
  { target: './electron/vision', from: ['./electron/cli', './electron/main', './electron/preload', './electron/terminal', './renderer'] },
  // The terminal service runs in Electron's main process and headless under Node: no Electron shell, UI or CLI.
  { target: './electron/terminal', from: ['./electron/cli', './electron/main', './electron/preload', './renderer'] },
  // The headless host is a transport over the terminal: no Electron shell, UI or CLI.
  { target: './electron/host', from: ['./electron/cli', './electron/main', './electron/preload', './renderer'] },
  // The hub is a headless Node service of its own: no Electron shell, UI or CLI.
  { target: './electron/hub', from: ['./electron/cli', './electron/main', './electron/preload', './renderer'] },
  // The preload is one sandboxed file: the contract's types and its own folder, nothing of the main process.
  { target: './electron/preload', from: ['./electron/main', './electron/terminal', './electron/vision', './electron/host', './electron/cli', './native-bridge', './models'] },
  // Native bindings depend on Node and koffi only.
  { target: './native-bridge', from: ['./electron', './renderer', './models'] },
  // The shared contract is imported by the renderer: it may depend on zod alone.
  { target: './electron/shared', from: ['./electron/vision', './electron/terminal', './electron/cli', './native-bridge', './models'] },
  // Nothing imports the renderer; the renderer only sees the shared contract.
  { target: './electron', from: './renderer' },
  { target: './native-bridge', from: './renderer' },
  { target: './models', from: ['./renderer', './electron/cli', './electron/main', './electron/terminal'] },
  { target: './renderer', from: './electron', except: ['./shared'] },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/onnx/**', 'out/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.cts'],
    plugins: { 'import-x': importX },
    // Resolve `./x.js` specifiers to their `.ts` sources, so the zones see every import, and let the rules read
    // TypeScript modules (without `import-x/extensions`, import-x reads only .js files and no-cycle sees nothing).
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.tsx', '.cts', '.mts', '.js', '.mjs', '.cjs'],
    },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      // A cycle of run-time imports leaves one module's bindings undefined while the other loads; type-only
      // imports are erased at compile time and cannot cause that, so the rule does not follow them.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // node:test's describe/test return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // Code that must also run outside Electron may not import it.
    files: ['electron/vision/**', 'electron/terminal/**', 'electron/host/**', 'electron/hub/**', 'native-bridge/**', 'models/**', 'electron/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'this code must run under plain Node: keep Electron out of it' }] }] },
  },
  {
    // The sandboxed preload is one CommonJS file (.cts); under verbatimModuleSyntax its run-time import of
    // 'electron' must be written `import x = require(...)`.
    files: ['electron/preload/**/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }] },
  },
  {
    // Component tests take @testing-library from render-screen, which sets up the DOM before loading it.
    files: ['renderer/**/*.test.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@testing-library/*'], message: "import from renderer/src/test/render-screen.js: it registers the DOM before @testing-library's screen is bound" }] }] },
  },
  {
    files: ['**/*.test.ts', 'scripts/**', '**/bench/**', '**/*.bench.ts', 'models/convert/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
