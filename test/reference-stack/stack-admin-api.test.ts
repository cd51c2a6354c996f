import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { RegionEvacuations, type EvacuationState } from '../../src/reference-stack/stack/region-evacuations.js';
import { createStackAdminApi } from '../../src/reference-stack/stack/stack-admin-api.js';
import { Supervisor } from '../../src/reference-stack/supervisor/supervisor.js';
import { parseTopology } from '../../src/reference-stack/topology/topology.js';
import { FakeLauncher } from '../support/fake-launcher.js';

const TOKEN = 'stack-admin-test-token-0123456789abcdef';
const ADMIN = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const topology = parseTopology('regions: [{ name: us-east, zones: [us-east-1a] }]\nservices:\n  catalog: {}\nrestartDelayMs: 1000\n', 'test.yaml');
const ID = 'catalog-us-east-1a-0';

describe('the stack admin API (a real supervisor of in-memory processes)', () => {
  let clock: ManualClock;
  let launcher: FakeLauncher;
  let supervisor: Supervisor;

  const setup = async () => {
    clock = new ManualClock();
    launcher = new FakeLauncher();
    supervisor = new Supervisor({ topology, launcher, clock });
    await supervisor.start();
    const app = createStackAdminApi({
      stackToken: TOKEN,
      inventory: () => supervisor.inventory(),
      signal: (id, signal, pid) => supervisor.signal(id, signal, pid),
      metrics: async () => 'simian_faults_total 0\n',
    });
    const terminate = (body: unknown, headers: Record<string, string> = ADMIN, id = ID) =>
      app.request(`/instances/${id}/terminate`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { app, terminate };
  };

  afterEach(async () => {
    for (const child of launcher.processes) child.kill('SIGKILL');
    await supervisor.stop();
  });

  it('keeps the read-only routes open', async () => {
    const { app } = await setup();
    const inventory = await app.request('/inventory');
    expect(inventory.status).toBe(200);
    expect(((await inventory.json()) as { instances: Array<{ id: string }> }).instances.map((i) => i.id)).toEqual([ID]);
    expect(await (await app.request('/metrics')).text()).toBe('simian_faults_total 0\n');
    expect((await app.request('/health')).status).toBe(200);
  });

  it('terminates only for the stack token, never for a web page, and names what is wrong with a body', async () => {
    const { terminate } = await setup();
    const pid = supervisor.instance(ID)!.pid!;
    const refusals = [
      await terminate({ pid }, {}),
      await terminate({ pid }, { ...ADMIN, authorization: `Bearer ${TOKEN}0` }),
      await terminate({ pid }, { ...ADMIN, origin: 'http://127.0.0.1:8000' }),
      await terminate({ pid, signal: 'SIGSTOP' }),
      await terminate({ signal: 'SIGKILL' }),
      await terminate('not json'),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 403, 400, 400, 400]);
    expect(((await refusals[3]!.json()) as { error: string }).error).toMatch(/^invalid termination: signal: expected one of SIGKILL, SIGTERM/);
    expect(((await refusals[4]!.json()) as { error: string }).error).toMatch(/^invalid termination: pid:/);
    expect(launcher.current(ID).signals).toEqual([]);

    const done = await terminate({ pid, signal: 'SIGTERM' });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ id: ID, pid, signal: 'SIGTERM' });
    expect(launcher.current(ID).signals).toEqual(['SIGTERM']);
  });

  it('refuses a pid the slot no longer runs (a stale inventory), and an unknown instance', async () => {
    const { terminate } = await setup();
    const seen = supervisor.instance(ID)!.pid!;
    expect((await terminate({ pid: seen })).status).toBe(200);
    await clock.advance(0);
    const gone = await terminate({ pid: seen });
    expect(gone.status).toBe(409);
    expect(((await gone.json()) as { error: string }).error).toContain('is not running');

    await clock.advance(1000);
    const replacement = launcher.current(ID);
    const stale = await terminate({ pid: seen });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: string }).error).toBe(`instance ${ID} now runs pid ${replacement.pid}, not ${seen}: it was replaced`);
    expect(replacement.signals).toEqual([]);
    expect(replacement.alive).toBe(true);

    const unknown = await terminate({ pid: replacement.pid }, ADMIN, 'catalog-mars-0');
    expect(unknown.status).toBe(404);
    expect(replacement.alive).toBe(true);
  });
});

describe("the stack admin API's region routes, which send the list to every front door", () => {
  const setup = () => {
    const sent: EvacuationState[] = [];
    let failing: Error | undefined;
    const evacuations = new RegionEvacuations(['us-east', 'us-west'], async (state) => {
      sent.push(state);
      if (failing) throw failing;
    });
    const app = createStackAdminApi({ stackToken: TOKEN, inventory: () => [], signal: () => ({ outcome: 'unknown' }), metrics: async () => '', evacuations });
    const post = (path: string, headers: Record<string, string> = ADMIN) => app.request(path, { method: 'POST', headers });
    const listed = async () => ((await (await app.request('/admin/regions')).json()) as { regions: Array<{ name: string; evacuated: boolean }> }).regions;
    return { sent, post, listed, fail: (error: Error | undefined) => (failing = error) };
  };

  it('evacuates and restores for the stack token, sending each new version, and refuses an unknown region', async () => {
    const { sent, post, listed } = setup();
    expect((await post('/admin/regions/us-east/evacuate', {})).status).toBe(401);
    expect(sent).toEqual([]);
    expect((await post('/admin/regions/us-east/evacuate')).status).toBe(204);
    expect(await listed()).toEqual([{ name: 'us-east', evacuated: true }, { name: 'us-west', evacuated: false }]);
    expect((await post('/admin/regions/us-east/restore')).status).toBe(204);
    expect(sent).toEqual([{ version: 1, evacuated: ['us-east'] }, { version: 2, evacuated: [] }]);
    const unknown = await post('/admin/regions/mars/evacuate');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('mars');
    expect(sent).toHaveLength(2);
  });

  it('answers 502 naming the front door that did not take the list, and keeps the list for its replacement', async () => {
    const { post, listed, fail } = setup();
    fail(new Error('frontdoor-global-1: HTTP 500'));
    const answer = await post('/admin/regions/us-west/evacuate');
    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { error: string }).error).toContain('frontdoor-global-1');
    expect(await listed()).toEqual([{ name: 'us-east', evacuated: false }, { name: 'us-west', evacuated: true }]);
  });
});
