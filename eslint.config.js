// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Time and randomness are injected (Clock, Random); only src/core/ may touch the real ones. */
const clockAndRandomRules = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Inject a Clock (src/core/clock.ts) instead of Date.now().' },
    { object: 'Math', property: 'random', message: 'Inject a Random (src/core/random.ts) instead of Math.random().' },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'Inject a Clock (src/core/clock.ts) instead of new Date() without arguments.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.js'],
    ignores: ['src/core/**'],
    rules: clockAndRandomRules,
  },
);
