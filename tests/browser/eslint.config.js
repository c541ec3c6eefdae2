// ESLint (flat config) for the page scripts in src/api/assets/ and this suite.
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['src/api/assets/*.js'],
    languageOptions: {ecmaVersion: 2022, sourceType: 'module', globals: globals.browser},
    rules: {'no-unused-vars': 'error', eqeqeq: ['error', 'smart'], 'no-var': 'error', 'prefer-const': 'error'},
  },
  {
    // The suite runs in Node; the functions it hands to page.evaluate run in the page.
    files: ['tests/browser/*.js', 'tests/browser/*.mjs'],
    languageOptions: {ecmaVersion: 2022, sourceType: 'module', globals: {...globals.node, ...globals.browser}},
  },
];
