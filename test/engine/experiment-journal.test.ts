import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineEvents, type EngineEvent } from '../../src/engine/events.js';
import { runToJournal } from '../../src/engine/experiment-journal.js';
import { runnerHarness } from '../runner/harness.js';
import { parseExperiment } from '../../src/runner/load-experiment.js';

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('runToJournal', () => {
  it('runs the experiment, writes its journal and report, tells its lines and then its verdict as events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simian-journal-'));
    dirs.push(dir);
    // A leashed chaos action on an in-memory platform: nothing is touched, the run is not tested.
    const experiment = parseExperiment('title: leashed\ntarget: { provider: memory }\nmethod:\n  - chaos: { group: api }\n', 'leashed.yaml', dir);
    const harness = runnerHarness();
    closers.push(() => harness.close());
    const clock = harness.clock;
    const events = new EngineEvents();
    const seen: EngineEvent[] = [];
    events.on((e) => seen.push(e));
    const { journal, paths } = await runToJournal(
      experiment,
      { deps: { ...harness.deps, safety: { ...harness.deps.safety, leashed: true } }, close: async () => undefined },
      { clock, events, journalPath: () => join(dir, 'journals', 'run.json') },
    );
    expect(journal.status).toBe('not-tested');
    expect(harness.memory.calls).toEqual([]);
    expect(paths.journal).toBe(join(dir, 'journals', 'run.json'));
    expect(JSON.parse(readFileSync(paths.journal, 'utf8'))).toMatchObject({ status: 'not-tested' });
    expect(existsSync(paths.report)).toBe(true);
    expect(seen.some((e) => e.kind === 'experiment' && e.title === 'leashed')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ kind: 'experiment-verdict', title: 'leashed', status: 'not-tested', verdict: 'would not be tested', journal: paths.journal });
  });
});
