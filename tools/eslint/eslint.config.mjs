// The gatherer's and the back office's scripts are plain browser JavaScript: no build step, no modules.
import js from '@eslint/js';
import globals from 'globals';

export default [
  // Lint the repository's own files, from the root (this folder only holds the tool).
  { ignores: ['**/node_modules/**', '.venv/**'] },
  { ...js.configs.recommended, files: ['src/openkyc/gatherer/static/*.js', 'src/openkyc/backoffice/static/*.js'] },
  {
    files: ['src/openkyc/gatherer/static/*.js', 'src/openkyc/backoffice/static/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'script',
      globals: { ...globals.browser },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-implicit-globals': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_' }],
    },
  },
];
