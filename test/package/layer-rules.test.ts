/**
 * The layers of the house are enforced by eslint.config.js (no-restricted-imports, built per layer and folder
 * depth): each test plants a file with one import at a path under src/ (it is linted as text, never written) and
 * sees the project's own lint config refuse it with the layer's message, or accept it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** What each layer rule's message says, enough to tell the rules apart. */
const RULE = {
  cli: 'src/cli is a front end: nothing outside src/cli imports it.',
  frontEnds: 'src/tui and src/daemon are front ends: only the other front ends',
  monkeys: 'Providers sit below the monkeys and may not import src/monkeys.',
  resilience: 'src/resilience is the library service teams import: it depends on src/core only',
  inkOrReact: 'src/engine never renders and never imports ink or React',
  normalForm: 'Write relative imports in normal form',
  leavesSrc: 'Files under src/ import only src/ and packages',
  ownPackage: "Import the project's own code by relative path, not by the package name",
  tooDeep: 'This folder is deeper than the layer rules reach',
} as const;

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** Lints one planted file that imports `specifier` (and uses it, so that no other rule has a say). */
async function lintPlanted(filePath: string, specifier: string, kind: 'value' | 'type' | 're-export' = 'value'): Promise<ESLint.LintResult> {
  const code = {
    value: `import { planted } from '${specifier}';\n\nexport const used = planted;\n`,
    type: `import type { Planted } from '${specifier}';\n\nexport type Used = Planted;\n`,
    're-export': `export { planted } from '${specifier}';\n`,
  }[kind];
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, filePath) });
  return result!;
}

/** Forbidden imports: where, what, how it is written, and which rule must refuse it. */
const FORBIDDEN: [string, string, 'value' | 'type' | 're-export', keyof typeof RULE][] = [
  // 1. Nothing outside src/cli imports src/cli.
  ['src/engine/planted.ts', '../cli/program.js', 'value', 'cli'],
  ['src/monkeys/chaos/planted.ts', '../../cli/command-deps.js', 'type', 'cli'],
  ['src/state/planted.ts', '../cli/table.js', 're-export', 'cli'],
  ['src/planted.ts', './cli/main.js', 'value', 'cli'],
  ['src/tui/planted.ts', '../cli/program.js', 'value', 'cli'],
  ['src/daemon/api/planted.ts', '../../cli/program.js', 'value', 'cli'],
  ['src/engine/a/b/c/planted.ts', '../../../../cli/program.js', 'value', 'cli'],
  // 2. Providers do not import monkeys.
  ['src/providers/local/planted.ts', '../../monkeys/safety/safety-config.js', 'value', 'monkeys'],
  ['src/providers/planted.ts', '../monkeys/safety/pipeline.js', 'type', 'monkeys'],
  // 3. Resilience imports src/core only.
  ['src/resilience/planted.ts', '../slo/burn-rate.js', 'value', 'resilience'],
  ['src/resilience/planted.ts', '../providers/provider.js', 'type', 'resilience'],
  ['src/resilience/limits/planted.ts', '../../state/state-store.js', 'value', 'resilience'],
  ['src/resilience/metrics/planted.ts', '../../engine/events.js', 're-export', 'resilience'],
  // 4. The engine renders nothing; nothing below the front ends imports src/tui or src/daemon.
  ['src/engine/planted.ts', 'ink', 'value', 'inkOrReact'],
  ['src/engine/planted.ts', 'react', 'value', 'inkOrReact'],
  ['src/engine/runs/planted.ts', 'react/jsx-runtime', 'value', 'inkOrReact'],
  ['src/engine/planted.ts', '../tui/console.js', 'value', 'frontEnds'],
  ['src/engine/planted.ts', '../daemon/scheduler.js', 'type', 'frontEnds'],
  ['src/monkeys/chaos/planted.ts', '../../daemon/scheduler.js', 'value', 'frontEnds'],
  // What keeps a textual match honest: normal form, no way out of src/ and back, no self-import by package name.
  ['src/engine/planted.ts', './../cli/program.js', 'value', 'normalForm'],
  ['src/providers/local/planted.ts', '../x/../../monkeys/safety/safety-config.js', 'value', 'normalForm'],
  ['src/engine/planted.ts', '../../src/cli/program.js', 'value', 'leavesSrc'],
  ['src/resilience/planted.ts', 'simian-army', 'value', 'ownPackage'],
  ['src/resilience/planted.ts', 'simian-army/resilience', 'value', 'ownPackage'],
  ['src/monkeys/a/b/c/d/planted.ts', './neighbour.js', 'value', 'tooDeep'],
];

/** Allowed imports: each layer's own code, what lies below it, packages; the front ends among themselves. */
const ALLOWED: [string, string, 'value' | 'type' | 're-export'][] = [
  ['src/cli/commands/planted.ts', '../../engine/fault-run.js', 'value'],
  ['src/cli/commands/planted.ts', '../program.js', 'type'],
  ['src/cli/planted.ts', '../tui/console.js', 'value'],
  ['src/tui/planted.ts', 'ink', 'value'],
  ['src/tui/planted.ts', '../engine/events.js', 'type'],
  ['src/daemon/planted.ts', '../engine/fault-run.js', 'value'],
  ['src/engine/planted.ts', '../monkeys/safety/pipeline.js', 'value'],
  ['src/engine/a/b/c/planted.ts', '../../../../monkeys/safety/pipeline.js', 'value'],
  ['src/monkeys/safety/planted.ts', '../../providers/provider.js', 'type'],
  ['src/providers/local/planted.ts', '../../core/model.js', 'value'],
  ['src/providers/local/planted.ts', '../provider.js', 'type'],
  ['src/resilience/planted.ts', '../core/clock.js', 'value'],
  ['src/resilience/planted.ts', './policy.js', 'type'],
  ['src/resilience/planted.ts', 'prom-client', 'value'],
  ['src/resilience/planted.ts', 'opossum', 'value'],
  ['src/resilience/limits/planted.ts', '../options.js', 'value'],
  ['src/resilience/limits/planted.ts', '../../core/errors.js', 're-export'],
  ['src/planted.ts', './resilience/index.js', 're-export'],
];

describe('layer rules (eslint.config.js)', () => {
  it.each(FORBIDDEN)('%s importing %s (%s) is refused by the %s rule', async (filePath, specifier, kind, rule) => {
    const { messages } = await lintPlanted(filePath, specifier, kind);
    expect(messages.map(({ ruleId, severity }) => ({ ruleId, severity }))).toEqual([{ ruleId: 'no-restricted-imports', severity: 2 }]);
    expect(messages[0]!.message).toContain(RULE[rule]);
  });

  it.each(ALLOWED)('%s importing %s (%s) is fine', async (filePath, specifier, kind) => {
    const { messages } = await lintPlanted(filePath, specifier, kind);
    expect(messages).toEqual([]);
  });
});
