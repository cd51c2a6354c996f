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

/*
 * The layers of the house: dependencies point downwards only.
 *
 *   cli   tui   daemon         front ends: nothing imports them
 *           engine             orchestration and events: never ink or React
 *   runner schedule monkeys slo state reference-stack config
 *           providers  toxiproxy  resilience
 *                    core
 *
 * no-restricted-imports matches a specifier as written, not the file it resolves to, so every rule is built once
 * per folder depth: from src/engine/a.ts the CLI is '../cli/…', from src/engine/runs/a.ts it is '../../cli/…'. Two
 * rules keep that textual match honest: a relative specifier is in normal form ('./a/../cli' is refused) and never
 * leaves src/. The package's own name is refused too, since it would reach src/ through dist/. Import cycles are
 * checked by test/package/import-graph.test.ts; test/package/layer-rules.test.ts plants each forbidden import.
 */

/** Folders below src/<layer>/ that the layer rules are built for; a deeper file may not import by relative path. */
const LAYER_RULE_DEPTH = 3;

/** The front ends each front end may import (the CLI starts the console and the daemon); nothing else may. */
const FRONT_END_IMPORTS = { cli: ['tui', 'daemon'], tui: ['daemon'], daemon: ['tui'] };

/** Regex source of the start of a relative specifier that names src/ from `ups` folders below it (0: in src/). */
function toSrc(ups) {
  return ups === 0 ? '\\./' : `(?:\\.\\./){${ups}}`;
}

/** Regex source of a relative specifier that names `src/<folder>` (an alternation is fine) from `ups` below src/. */
function srcFolder(ups, folder) {
  return `^${toSrc(ups)}(?:${folder})(?:/|$)`;
}

/** A `no-restricted-imports` pattern; case-sensitive, as file names are on Linux and in CI. */
function restrict(regex, message) {
  return { regex, message, caseSensitive: true };
}

/** What every file under src/ respects, `ups` folders below src/; `frontEnd` names the front end it is in, if any. */
function sharedPatterns(ups, frontEnd) {
  const reachable = frontEnd ? [frontEnd, ...FRONT_END_IMPORTS[frontEnd]] : [];
  const others = ['tui', 'daemon'].filter((name) => !reachable.includes(name));
  return [
    restrict(
      '^(?=\\.)(?!(?:\\./|(?:\\.\\./)+)(?:(?!\\.\\.?/)[^/]+/)*(?!\\.\\.?$)[^/]+$)',
      "Write relative imports in normal form ('../core/x.js', not './../core/x.js' or '../a/../core/x.js'): the layer rules read the specifier as written.",
    ),
    restrict(
      `^(?:\\.\\./){${ups + 1}}`,
      'Files under src/ import only src/ and packages: a path that leaves src/ is not part of the build and slips past the layer rules.',
    ),
    restrict(
      '^simian-army(?:/|$)',
      "Import the project's own code by relative path, not by the package name: that resolves to the built dist/, which the layer rules and the import-cycle test cannot see.",
    ),
    ...(reachable.includes('cli')
      ? []
      : [
          restrict(
            srcFolder(ups, 'cli'),
            'src/cli is a front end: nothing outside src/cli imports it. Move what you need down to the layer that owns it: orchestration and its events to src/engine, a shared helper or type to src/core (or the lowest layer that uses it).',
          ),
        ]),
    ...(others.length === 0
      ? []
      : [
          restrict(
            srcFolder(ups, others.join('|')),
            'src/tui and src/daemon are front ends: only the other front ends (src/cli, src/tui, src/daemon) import them. Move what you need down to src/engine (orchestration, typed events) or a lower layer.',
          ),
        ]),
  ];
}

/** What a layer adds to the shared patterns, `ups` folders below src/. */
const LAYER_PATTERNS = {
  engine: () => [
    restrict(
      '^(?:ink|react|react-dom)(?:/|$)|^ink-|^@inkjs/',
      'src/engine never renders and never imports ink or React: it tells typed events (src/engine/events.ts) and the front ends draw them. Put terminal UI code in src/tui.',
    ),
  ],
  providers: (ups) => [
    restrict(
      srcFolder(ups, 'monkeys'),
      'Providers sit below the monkeys and may not import src/monkeys. Move what both need down: the shared model to src/core/model.ts, the provider seam to src/providers/provider.ts.',
    ),
  ],
  resilience: (ups) => [
    restrict(
      `^${toSrc(ups)}(?!(?:core|resilience)/)`,
      'src/resilience is the library service teams import: it depends on src/core only (and packages such as opossum and prom-client). Move what it needs into src/core, or into src/resilience itself.',
    ),
  ],
};

/**
 * The layer rules as config objects, one per layer and depth. A file must get all its patterns from one object,
 * because a later object's no-restricted-imports replaces an earlier one's options instead of adding to them: so
 * each depth has a catch-all for every layer first, then the layers with rules of their own.
 */
function layerConfigs() {
  const config = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
  const configs = [config(['src/*.{ts,tsx}'], sharedPatterns(0))];
  for (let depth = 0; depth <= LAYER_RULE_DEPTH; depth++) {
    const ups = depth + 1;
    const filesOf = (layer) => [`src/${layer}/${'*/'.repeat(depth)}*.{ts,tsx}`];
    configs.push(config(filesOf('*'), sharedPatterns(ups)));
    for (const [layer, patterns] of Object.entries(LAYER_PATTERNS)) {
      configs.push(config(filesOf(layer), [...sharedPatterns(ups), ...patterns(ups)]));
    }
    for (const frontEnd of Object.keys(FRONT_END_IMPORTS)) configs.push(config(filesOf(frontEnd), sharedPatterns(ups, frontEnd)));
  }
  const tooDeep = `src/${'*/'.repeat(LAYER_RULE_DEPTH + 2)}**/*.{ts,tsx}`;
  configs.push(config([tooDeep], [restrict('^\\.', 'This folder is deeper than the layer rules reach: raise LAYER_RULE_DEPTH in eslint.config.js.')]));
  return configs;
}

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
    // .tsx too: the game-day console (src/tui) and its tests are written in it.
    files: ['**/*.ts', '**/*.tsx', '**/*.js'],
    ignores: ['src/core/**'],
    rules: clockAndRandomRules,
  },
  ...layerConfigs(),
);
