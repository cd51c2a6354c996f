/**
 * Test harness for the experiment runner: a memory provider, an in-memory state store with a real FaultReverter,
 * a fake SLI source that sees faults from the store's own history, a fake fetch, and a driver that advances a
 * ManualClock until the run settles.
 */
import { ManualClock } from '../../src/core/manual-clock.js';
import type { FaultKind, Instance } from '../../src/core/model.js';
import { SeededRandom } from '../../src/core/random.js';
import { FaultReverter } from '../../src/monkeys/revert/fault-reverter.js';
import { MemoryProvider } from '../../src/providers/memory/memory-provider.js';
import type { Experiment } from '../../src/runner/experiment.js';
import { parseExperiment } from '../../src/runner/load-experiment.js';
import { stateStoreFaults, type RunnerDeps, type SloLoader } from '../../src/runner/runner-deps.js';
import type { SliResult, SliSource, SliWindow } from '../../src/slo/sli-source.js';
import type { Slo, SloSpec } from '../../src/slo/slo-spec.js';
import { StateStore } from '../../src/state/state-store.js';

export const OPT_IN = 'simian/opt-in';

/** A running, opted-in instance. */
export function instance(id: string, group: string, zone: string, region = 'region-1'): Instance {
  return { id, group, region, zone, state: 'running', launchedAt: 0, tags: { [OPT_IN]: 'true' } };
}

/** Group `api` of four instances over zones zone-a and zone-b, and group `db` of two. */
export function memoryProvider(): MemoryProvider {
  return new MemoryProvider({
    instances: [
      instance('api-0', 'api', 'zone-a'),
      instance('api-1', 'api', 'zone-a'),
      instance('api-2', 'api', 'zone-b'),
      instance('api-3', 'api', 'zone-b'),
      instance('db-0', 'db', 'zone-a'),
      instance('db-1', 'db', 'zone-b'),
    ],
  });
}

/** The SLO every test file checks: 99% of api requests succeed. */
export const API_SLO: Slo = {
  name: 'api-availability',
  objective: 99,
  labels: {},
  sli: { kind: 'events', errorQuery: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))', totalQuery: 'sum(rate(http_requests_total[{{.window}}]))' },
  alerting: {
    labels: {},
    annotations: {},
    pageAlert: { disable: true, labels: {}, annotations: {} },
    ticketAlert: { disable: true, labels: {}, annotations: {} },
  },
};

export const SLO_SPECS: readonly SloSpec[] = [{ service: 'api', labels: {}, slos: [API_SLO] }];

/** A loader that knows one file, `slos.yaml` in any folder, and counts its calls. */
export function fakeLoader(specs: readonly SloSpec[] = SLO_SPECS): SloLoader & { paths: string[] } {
  const paths: string[] = [];
  const loader = async (path: string) => {
    paths.push(path);
    if (!path.endsWith('/slos.yaml')) throw new Error(`ENOENT: ${path}`);
    return specs;
  };
  return Object.assign(loader, { paths });
}

/**
 * An SLI source that reads the faults from the state store: while a fault of a "bad" kind is active, a share of
 * requests fail. The error ratio of a window is that share times the part of the window the faults covered.
 * `forQuery` lets a test answer per query (control groups add a label matcher).
 */
export class FaultTimelineSli implements SliSource {
  readonly name = 'fault timeline';
  readonly calls: Array<{ slo: string; query: string; window: SliWindow }> = [];

  constructor(
    private readonly store: StateStore,
    private readonly clock: ManualClock,
    private readonly options: { badKinds: readonly FaultKind[]; errorShare: number; forQuery?: (query: string, ratio: number) => number },
  ) {}

  async errorRatio(slo: Slo, window: SliWindow): Promise<SliResult> {
    const query = slo.sli.kind === 'events' ? slo.sli.errorQuery : slo.sli.errorRatioQuery;
    this.calls.push({ slo: slo.name, query, window });
    if (window.end <= window.start) return { outcome: 'inconclusive', reason: 'empty window' };
    let covered = 0;
    for (const entry of this.store.history()) {
      if (entry.type !== 'fault' || !this.options.badKinds.includes(entry.kind)) continue;
      const end = entry.revert?.at ?? this.clock.now();
      covered += Math.max(0, Math.min(end, window.end) - Math.max(entry.at, window.start));
    }
    const ratio = (covered / (window.end - window.start)) * this.options.errorShare;
    const errorRatio = this.options.forQuery ? this.options.forQuery(query, ratio) : ratio;
    return { outcome: 'measured', errorRatio, events: { errors: Math.round(errorRatio * 1000), total: 1000 } };
  }
}

/** A fetch answering from handlers by URL, logging each call. Unknown URLs are refused like a closed port. */
export function fakeFetch(handlers: Record<string, (init: RequestInit | undefined) => Response | Promise<Response>>) {
  const calls: Array<{ url: string; method: string; body?: string }> = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, method: init?.method ?? 'GET', ...(typeof init?.body === 'string' ? { body: init.body } : {}) });
    init?.signal?.throwIfAborted();
    const handler = handlers[url];
    if (!handler) throw new TypeError(`fetch failed: connection refused (${url})`);
    return handler(init);
  }) as typeof fetch;
  return { fetch: fetchFn, calls };
}

/** Advances `clock` timer by timer until `promise` settles (never a wall-clock sleep). */
export async function drive<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await advanceUntil(clock, () => settled);
  return promise;
}

/** Advances `clock` timer by timer until `condition` holds. */
export async function advanceUntil(clock: ManualClock, condition: () => boolean): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 100_000) throw new Error('the condition never held');
    if (!(await clock.runNext())) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Everything a runner test needs, wired as the CLI wires it, with fakes where the world would be. */
export function runnerHarness(options: { badKinds?: readonly FaultKind[]; errorShare?: number; forQuery?: (query: string, ratio: number) => number; handlers?: Record<string, (init: RequestInit | undefined) => Response | Promise<Response>> } = {}) {
  const clock = new ManualClock();
  const random = new SeededRandom(7);
  const memory = memoryProvider();
  const store = StateStore.open(':memory:', { clock });
  const reverter = new FaultReverter({ store, clock, actuators: () => memory.actuator, pid: 4242, isAlive: () => true });
  const sli = new FaultTimelineSli(store, clock, {
    badKinds: options.badKinds ?? ['latency'],
    errorShare: options.errorShare ?? 0.5,
    ...(options.forQuery ? { forQuery: options.forQuery } : {}),
  });
  const web = fakeFetch({
    'http://app.test/health': () => new Response('{"status":"ok"}', { status: 200 }),
    'http://app.test/restore': () => new Response(null, { status: 204 }),
    ...options.handlers,
  });
  const loadSlos = fakeLoader();
  const deps: RunnerDeps = {
    clock,
    random,
    providers: (name) => {
      if (name !== 'memory') throw new Error(`no provider ${name}`);
      return memory;
    },
    faults: stateStoreFaults({ store, reverter, clock, random, ownerPid: 4242 }),
    safety: { leashed: false, minIntervalMs: 0, maxFaultsPerGroupPerDay: 100 },
    sli,
    loadSlos,
    fetch: web.fetch,
    variables: { app: 'http://app.test' },
    env: {},
  };
  return {
    clock,
    memory,
    store,
    reverter,
    sli,
    web,
    loadSlos,
    deps,
    close: () => {
      reverter.dispose();
      store.close();
    },
  };
}

/** Parses an experiment from lines of YAML, as a file `test.yaml` in `/experiments` would be. */
export function experiment(lines: readonly string[]): Experiment {
  return parseExperiment(`${lines.join('\n')}\n`, 'test.yaml', '/experiments');
}

/** The head most test experiments share: the memory provider, the SLO and a health probe. */
export const HEAD = [
  'title: api under fire',
  'target: { provider: memory }',
  'steady-state:',
  '  slos:',
  '    - { file: slos.yaml, names: [api-availability], window: 5m }',
  '  probes:',
  '    - name: health',
  '      http: { url: "${app}/health", status: 200, timeout: 1s, bodyContains: ok }',
];
