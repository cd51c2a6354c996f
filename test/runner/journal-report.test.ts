import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runExperiment } from '../../src/runner/experiment-runner.js';
import { JOURNAL_SCHEMA, journalJson, reportPathFor, writeJournal, type Journal } from '../../src/runner/journal.js';
import { markdownReport } from '../../src/runner/report.js';
import { HEAD, drive, experiment, runnerHarness } from './harness.js';

// The journal's documented shape (docs/experiments.md, "The journal"), checked strictly: a field added or renamed
// without the docs is a test failure.
const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const nullableIso = iso.nullable();
const window = z.strictObject({ start: iso, end: iso });
const activityResult = z.strictObject({
  name: z.string(),
  kind: z.enum(['http', 'process']),
  ok: z.boolean(),
  detail: z.string(),
  status: z.number().optional(),
  exitCode: z.number().optional(),
  durationMs: z.number(),
  aborted: z.literal(true).optional(),
});
const check = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('slo'),
    name: z.string(),
    service: z.string(),
    met: z.boolean(),
    inconclusive: z.literal(true).optional(),
    detail: z.string(),
    objective: z.number(),
    window,
    errorRatio: z.number().nullable(),
    events: z.strictObject({ errors: z.number(), total: z.number() }).optional(),
  }),
  z.strictObject({
    kind: z.literal('query'),
    name: z.string(),
    met: z.boolean(),
    inconclusive: z.literal(true).optional(),
    detail: z.string(),
    expr: z.string(),
    comparator: z.string(),
    threshold: z.number(),
    values: z.array(z.number()),
  }),
  z.strictObject({ kind: z.literal('probe'), name: z.string(), met: z.boolean(), detail: z.string(), result: activityResult }),
]);
const steadyState = z.strictObject({ phase: z.enum(['before', 'during', 'after', 'recovery']), at: iso, met: z.boolean(), checks: z.array(check) });
const fault = z.strictObject({ id: z.string(), kind: z.string(), targets: z.array(z.string()), startedAt: iso, expiresAt: iso.optional(), parameters: z.record(z.string(), z.unknown()) });
const journalSchema = z.strictObject({
  schema: z.literal(JOURNAL_SCHEMA),
  experiment: z.strictObject({ title: z.string(), description: z.string().optional(), tags: z.array(z.string()), file: z.string().optional(), target: z.strictObject({ provider: z.string(), topology: z.string().optional() }) }),
  definition: z.record(z.string(), z.unknown()),
  status: z.enum(['completed', 'failed', 'aborted', 'interrupted']),
  deviated: z.boolean(),
  dryRun: z.boolean(),
  reason: z.string().optional(),
  startedAt: iso,
  endedAt: iso,
  durationMs: z.number(),
  variables: z.record(z.string(), z.string()),
  steadyStates: z.strictObject({ before: steadyState.nullable(), during: z.array(steadyState), after: steadyState.nullable() }),
  method: z.strictObject({
    startedAt: nullableIso,
    endedAt: nullableIso,
    actions: z.array(
      z.strictObject({
        step: z.string(),
        name: z.string(),
        kind: z.enum(['chaos', 'gorilla', 'kong', 'latency', 'http', 'process']),
        provider: z.string().optional(),
        startedAt: iso,
        endedAt: iso,
        outcome: z.enum(['executed', 'skipped', 'failed']),
        detail: z.string(),
        decision: z
          .strictObject({ outcome: z.enum(['executed', 'skipped', 'failed']), reason: z.string().optional(), detail: z.string().optional(), fault: fault.optional(), affected: z.array(z.string()).optional(), error: z.string().optional() })
          .optional(),
        result: activityResult.optional(),
      }),
    ),
  }),
  stopConditions: z.strictObject({
    intervalMs: z.number(),
    polls: z.number(),
    hit: z.strictObject({ name: z.string(), kind: z.string(), hit: z.boolean(), inconclusive: z.literal(true).optional(), detail: z.string(), at: iso }).nullable(),
  }),
  rollbacks: z.strictObject({
    faults: z.array(z.strictObject({ faultId: z.string(), kind: z.string(), targets: z.array(z.string()), trigger: z.string(), outcome: z.enum(['reverted', 'already-reverted', 'gone', 'failed']), at: iso, error: z.string().optional() })),
    activities: z.array(activityResult),
    skipped: z.boolean(),
  }),
  control: z
    .strictObject({
      by: z.string(),
      label: z.string(),
      control: z.array(z.string()),
      experiment: z.array(z.string()),
      window: window.nullable(),
      met: z.boolean(),
      comparisons: z.array(z.record(z.string(), z.unknown())),
    })
    .nullable(),
  recovery: z.strictObject({
    firstFaultAt: nullableIso,
    faultsEndedAt: nullableIso,
    detectedAt: nullableIso,
    detectedBy: z.string().nullable(),
    timeToDetectMs: z.number().nullable(),
    recoveredAt: nullableIso,
    timeToRecoverMs: z.number().nullable(),
    recovered: z.boolean().nullable(),
    detail: z.string(),
    checks: z.array(steadyState),
  }),
  errorBudget: z.array(
    z.strictObject({
      slo: z.string(),
      service: z.string(),
      objective: z.number(),
      window,
      errorRatio: z.number().nullable(),
      burnRate: z.number().nullable(),
      budgetConsumed: z.number().nullable(),
      periodMs: z.number(),
      detail: z.string(),
    }),
  ),
  load: z
    .strictObject({
      startedAt: iso,
      stoppedAt: iso,
      summary: z.strictObject({ sessions: z.number(), requests: z.number(), failures: z.number(), successRatio: z.number() }).nullable(),
      detail: z.string(),
    })
    .nullable(),
});

describe('the journal and its report', () => {
  let dir = '';
  let journal: Journal;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simian-journal-'));
    const h = runnerHarness();
    try {
      journal = await drive(
        h.clock,
        runExperiment(
          experiment([
            ...HEAD,
            'method:',
            '  - name: slow api',
            '    latency: { group: api, toxic: { type: latency, latency: 500ms } }',
            '    duration: 30s',
            'rollbacks:',
            '  - http: { url: "${app}/restore", method: POST }',
            'stop-conditions:',
            '  conditions:',
            '    - http: { url: "${app}/health" }',
          ]),
          h.deps,
        ),
      );
    } finally {
      h.close();
    }
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is plain JSON in the documented shape', () => {
    const parsed: unknown = JSON.parse(journalJson(journal));
    const checked = journalSchema.safeParse(parsed);
    expect(checked.success, checked.success ? '' : JSON.stringify(checked.error.issues, null, 2)).toBe(true);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(journal)));
    expect(journal).toMatchObject({ status: 'completed', deviated: true, variables: { app: 'http://app.test' } });
  });

  it('is written with its Markdown report beside it', async () => {
    const path = join(dir, 'runs', 'run-1.json');
    const written = await writeJournal(path, journal, markdownReport(journal));
    expect(written).toEqual({ journal: path, report: join(dir, 'runs', 'run-1.md') });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ schema: JOURNAL_SCHEMA, status: 'completed' });
    expect(await readFile(written.report, 'utf8')).toBe(markdownReport(journal));
    expect(reportPathFor('journal')).toBe('journal.md');
  });

  it('the report gives the verdict first, then every section', () => {
    const report = markdownReport(journal);
    expect(report.startsWith('# api under fire\n')).toBe(true);
    expect(report).toContain('| verdict | **deviated** |');
    for (const heading of ['## Steady state', '### Before', '### During', '### After', '## Method', '## Stop conditions', '## Rollbacks', '## Detection and recovery', '## Error budget']) {
      expect(report).toContain(heading);
    }
    expect(report).toMatch(/\| 1 \| slow api \| latency \| memory \| executed \| latency on api-0, api-1, api-2, api-3/);
    expect(report).toContain('| time to detect | 5000 ms |');
    expect(report).toContain('| POST ${app}/restore | yes | POST http://app.test/restore: status 204 |');
  });
});

describe('the journal of a run that drove its own viewers', () => {
  it('records what they saw, in the documented shape, and the report says it', async () => {
    const h = runnerHarness();
    let journal: Journal;
    try {
      journal = await drive(
        h.clock,
        runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', 'load: { rate: 2 }']), {
          ...h.deps,
          viewers: () => ({ stop: async () => ({ sessions: 600, requests: 4800, failures: 0, successRatio: 1 }) }),
        }),
      );
    } finally {
      h.close();
    }
    const checked = journalSchema.safeParse(JSON.parse(journalJson(journal)));
    expect(checked.success, checked.success ? '' : JSON.stringify(checked.error.issues, null, 2)).toBe(true);
    expect(journal.load).toMatchObject({ summary: { sessions: 600 }, detail: '600 sessions, 4800 requests, 100.00% succeeded in 305 s' });
    expect(markdownReport(journal)).toContain(`| viewers | ${journal.load!.startedAt} to ${journal.load!.stoppedAt}: 600 sessions, 4800 requests, 100.00% succeeded in 305 s |`);
  });
});

describe('secrets in the journal, the report and the log', () => {
  const FROM_ENV = 'env-secret-4f9c2a';
  const STACK_TOKEN = 'stack-token-b81e77d0';

  it('shows [redacted] for values read from the environment and for given secrets, though the run uses the real ones', async () => {
    const h = runnerHarness({
      handlers: {
        [`http://app.test/secure?key=${FROM_ENV}`]: () => new Response('ok', { status: 200 }),
        [`http://app.test/switch?token=${STACK_TOKEN}`]: (init) =>
          new Response(null, { status: new Headers(init?.headers).get('authorization') === `Bearer ${STACK_TOKEN}` ? 204 : 401 }),
      },
    });
    const lines: string[] = [];
    let journal: Journal;
    try {
      journal = await drive(
        h.clock,
        runExperiment(
          experiment([
            'title: secrets stay out of the journal',
            'variables:',
            '  key: { env: SIMIAN_TEST_KEY }',
            '  plain: { env: SIMIAN_TEST_UNSET, default: from-the-file }',
            'steady-state:',
            '  probes:',
            '    - name: secure',
            '      http: { url: "${app}/secure?key=${key}", status: 200, timeout: 1s }',
            'method:',
            '  - name: flip the switch',
            '    http: { url: "${app}/switch?token=${stackToken}", method: POST, headers: { authorization: "Bearer ${stackToken}" }, status: 204 }',
            'rollbacks:',
            // A rollback that fails quotes its URL, with the token in it, in the journal and the log.
            '  - http: { url: "${app}/switch?token=${stackToken}", method: POST, status: 200 }',
          ]),
          {
            ...h.deps,
            env: { SIMIAN_TEST_KEY: FROM_ENV },
            variables: { app: 'http://app.test', stackToken: STACK_TOKEN },
            secrets: [STACK_TOKEN],
            log: (line) => lines.push(line),
          },
        ),
      );
    } finally {
      h.close();
    }
    // The run used the real values.
    expect(h.web.calls.map((c) => c.url)).toEqual(
      expect.arrayContaining([`http://app.test/secure?key=${FROM_ENV}`, `http://app.test/switch?token=${STACK_TOKEN}`]),
    );
    expect(journal.method.actions.map((a) => a.outcome)).toEqual(['executed']);
    expect(journal.rollbacks.activities.map((r) => r.ok)).toEqual([false]);
    // What is written down does not show them.
    expect(journal.variables).toEqual({ app: 'http://app.test', key: '[redacted]', plain: 'from-the-file', stackToken: '[redacted]' });
    const written = [journalJson(journal), markdownReport(journal), lines.join('\n')];
    for (const text of written) {
      expect(text).not.toContain(FROM_ENV);
      expect(text).not.toContain(STACK_TOKEN);
    }
    expect(journalJson(journal)).toContain('http://app.test/switch?token=[redacted]');
    expect(markdownReport(journal)).toContain('[redacted]');
  });
});
