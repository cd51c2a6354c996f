import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { SeededRandom } from '../../../src/core/random.js';
import { DoctorMonkey, type DoctorReport } from '../../../src/monkeys/doctor/doctor-monkey.js';
import { mapBounded } from '../../../src/monkeys/doctor/bounded-map.js';
import { isCheckTimeout, verdictOf, type CheckName, type CheckOk, type HealthCheck } from '../../../src/monkeys/doctor/health-checks.js';
import { MemoryFaultLedger } from '../../../src/monkeys/safety/fault-ledger.js';
import type { SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { deferred, settle } from '../../support/deferred.js';
import { instance } from '../safety/harness.js';

/** A check that answers what the script says per instance id, and `true` for the others. */
function scripted(name: CheckName, script: Readonly<Record<string, CheckOk | 'throws' | 'n/a'>>): HealthCheck {
  return {
    name,
    prepare: async () => (i) => {
      const answer = script[i.id] ?? true;
      if (answer === 'throws') throw new Error(`${name} broke on ${i.id}`);
      if (answer === 'n/a') return undefined;
      return { ok: answer, detail: `${name} says ${String(answer)}` };
    },
  };
}

/** Groups `api` (4 instances) and `web` (2 instances), all running and opted in. */
function inventory(extra: readonly Instance[] = []): MemoryProvider {
  return new MemoryProvider({
    instances: [
      ...[0, 1, 2, 3].map((n) => instance(`api-${n}`, 'api')),
      ...[0, 1].map((n) => instance(`web-${n}`, 'web', { zone: 'region-0-b' })),
      ...extra,
    ],
  });
}

function verdicts(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.instances.map((i) => [i.id, i.verdict]));
}

describe('verdictOf', () => {
  it('is sick on any failed check, unknown on doubt or when nothing applied, healthy otherwise', () => {
    expect(verdictOf([{ check: 'health', ok: true, detail: '' }])).toBe('healthy');
    expect(verdictOf([{ check: 'health', ok: 'unknown', detail: '' }, { check: 'registration', ok: false, detail: '' }])).toBe('sick');
    expect(verdictOf([{ check: 'health', ok: true, detail: '' }, { check: 'registration', ok: 'unknown', detail: '' }])).toBe('unknown');
    expect(verdictOf([])).toBe('unknown');
  });
});

describe('DoctorMonkey.examine', () => {
  it('runs every check on every running instance and adds the findings up', async () => {
    const provider = inventory([instance('api-9', 'api', { state: 'terminated' })]);
    const doctor = new DoctorMonkey({
      inventory: provider.inventory,
      clock: new ManualClock(),
      checks: [scripted('health', { 'api-1': false, 'api-2': 'unknown' }), scripted('registration', { 'web-0': false, 'api-3': 'n/a' })],
    });
    const report = await doctor.examine();
    expect(verdicts(report)).toEqual({ 'api-0': 'healthy', 'api-1': 'sick', 'api-2': 'unknown', 'api-3': 'healthy', 'web-0': 'sick', 'web-1': 'healthy' });
    expect(report.totals).toEqual({ examined: 6, healthy: 3, sick: 2, unknown: 1 });
    const api1 = report.instances.find((i) => i.id === 'api-1')!;
    expect(api1).toMatchObject({ group: 'api', zone: 'region-0-a', region: 'region-0' });
    expect(api1.findings).toEqual([
      { check: 'health', ok: false, detail: 'health says false' },
      { check: 'registration', ok: true, detail: 'registration says true' },
    ]);
    // A check that does not apply leaves no finding.
    expect(report.instances.find((i) => i.id === 'api-3')!.findings.map((f) => f.check)).toEqual(['health']);
    expect(report.examinedAt).toBe(new ManualClock().now());
  });

  it('marks an instance unknown, never sick, when a check throws or cannot start', async () => {
    const cannotStart: HealthCheck = { name: 'registration', prepare: async () => Promise.reject(new Error('registry down')) };
    const doctor = new DoctorMonkey({
      inventory: inventory().inventory,
      clock: new ManualClock(),
      checks: [scripted('health', { 'api-0': 'throws' }), cannotStart],
    });
    const report = await doctor.examine();
    expect(report.totals).toEqual({ examined: 6, healthy: 0, sick: 0, unknown: 6 });
    expect(report.instances[0]!.findings).toEqual([
      { check: 'health', ok: 'unknown', detail: 'the check failed: health broke on api-0' },
      { check: 'registration', ok: 'unknown', detail: 'the registration check could not start: registry down' },
    ]);
  });

  it('gives up on a check that ignores its timeout: unknown after checkTimeoutMs of the injected clock', async () => {
    const clock = new ManualClock();
    const started = deferred();
    let aborted: unknown;
    const stuck: HealthCheck = {
      name: 'health',
      prepare: async () => (_i, { signal }) => {
        signal.addEventListener('abort', () => (aborted = signal.reason));
        started.resolve();
        return new Promise(() => undefined);
      },
    };
    const provider = new MemoryProvider({ instances: [instance('api-0', 'api')] });
    const doctor = new DoctorMonkey({ inventory: provider.inventory, clock, checks: [stuck], checkTimeoutMs: 1_500 });
    let done = false;
    const examined = doctor.examine().finally(() => (done = true));
    await started.promise;
    await clock.advance(1_499);
    expect(done).toBe(false);
    await clock.advance(1);
    const report = await examined;
    expect(isCheckTimeout(aborted)).toBe(true);
    expect(report.instances[0]).toMatchObject({ verdict: 'unknown', findings: [{ check: 'health', ok: 'unknown', detail: 'the check did not finish within 1500 ms' }] });
    expect(clock.pendingTimers).toBe(0);
  });

  it('lets a check answer for itself when its timeout aborts it (an HTTP check calls that sick)', async () => {
    const clock = new ManualClock();
    const started = deferred();
    const slow: HealthCheck = {
      name: 'health',
      prepare: async () => (_i, { signal, timeoutMs }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }));
          started.resolve();
        }),
    };
    const provider = new MemoryProvider({ instances: [instance('api-0', 'api')] });
    const doctor = new DoctorMonkey({ inventory: provider.inventory, clock, checks: [slow], checkTimeoutMs: 500 });
    const examined = doctor.examine();
    await started.promise;
    await clock.advance(500);
    expect((await examined).instances[0]).toMatchObject({ verdict: 'sick', findings: [{ ok: false, detail: 'no answer within 500 ms' }] });
  });

  it('examines at most `concurrency` instances at once', async () => {
    const gates = new Map<string, () => void>();
    let inFlight = 0;
    let most = 0;
    const gated: HealthCheck = {
      name: 'health',
      prepare: async () => (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        return new Promise((resolve) =>
          gates.set(i.id, () => {
            inFlight--;
            resolve({ ok: true, detail: 'ok' });
          }),
        );
      },
    };
    const doctor = new DoctorMonkey({ inventory: inventory().inventory, clock: new ManualClock(), checks: [gated], concurrency: 2 });
    const examined = doctor.examine();
    for (let opened = 0; opened < 6; opened++) {
      await settle();
      const next = [...gates.entries()][0];
      expect(next, `instance ${opened} should be waiting`).toBeDefined();
      expect(inFlight).toBeLessThanOrEqual(2);
      gates.delete(next![0]);
      next![1]();
    }
    expect((await examined).totals.healthy).toBe(6);
    expect(most).toBe(2);
  });

  it('rejects when the inventory cannot be read', async () => {
    const provider = inventory();
    provider.failNext('instances');
    const doctor = new DoctorMonkey({ inventory: provider.inventory, clock: new ManualClock(), checks: [scripted('health', {})] });
    await expect(doctor.examine()).rejects.toMatchObject({ code: 'memory.injectedFailure' });
  });

  it('refuses a nonsensical timeout or concurrency', () => {
    const base = { inventory: inventory().inventory, clock: new ManualClock(), checks: [] };
    expect(() => new DoctorMonkey({ ...base, checkTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => new DoctorMonkey({ ...base, concurrency: 0 })).toThrow(RangeError);
  });
});

describe('mapBounded', () => {
  it('keeps the order of the items and rejects with the first failure', async () => {
    expect(await mapBounded([3, 1, 2], 2, async (n) => n * 10)).toEqual([30, 10, 20]);
    await expect(mapBounded([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error('two')) : n))).rejects.toThrow('two');
    expect(await mapBounded([], 4, async (n: number) => n)).toEqual([]);
  });
});

describe('DoctorMonkey.treat through the real SafetyPipeline', () => {
  async function examineAndTreat(config: Partial<SafetyConfig>, script: Readonly<Record<string, CheckOk>>) {
    const provider = inventory();
    const clock = new ManualClock();
    const ledger = new MemoryFaultLedger();
    const pipeline = new SafetyPipeline({ provider, ledger, clock, random: new SeededRandom(7), config, fileExists: async () => false });
    const doctor = new DoctorMonkey({ inventory: provider.inventory, clock, checks: [scripted('health', script)] });
    const report = await doctor.examine();
    const treatments = await doctor.treat(report, pipeline);
    return { provider, ledger, report, treatments };
  }

  const unleashed: Partial<SafetyConfig> = { leashed: false, minIntervalMs: 0 };

  it('leashed (the default): decides for each group with sick instances and calls no actuator', async () => {
    const { provider, treatments, ledger } = await examineAndTreat({}, { 'api-1': false, 'api-2': 'unknown' });
    expect(treatments).toHaveLength(1);
    expect(treatments[0]).toMatchObject({ group: 'api', ids: ['api-1'], decision: { outcome: 'skipped', reason: 'leashed', fault: { targets: ['api-1'] } } });
    expect(provider.calls).toEqual([]);
    expect(ledger.faults).toEqual([]);
  });

  it('unleashed: terminates exactly the sick, never a healthy or an unknown instance, one request per group', async () => {
    const { provider, treatments, ledger } = await examineAndTreat(unleashed, { 'api-1': false, 'api-3': false, 'api-2': 'unknown', 'web-1': false });
    expect(treatments.map((t) => [t.group, t.ids, t.decision.outcome])).toEqual([
      ['api', ['api-1', 'api-3'], 'executed'],
      ['web', ['web-1'], 'executed'],
    ]);
    expect(provider.calls.map((c) => (c.method === 'terminate' ? c.instanceId : c.method)).sort()).toEqual(['api-1', 'api-3', 'web-1']);
    expect(ledger.faults.map((f) => [f.monkey, f.group, f.targets])).toEqual([
      ['doctor', 'api', ['api-1', 'api-3']],
      ['doctor', 'web', ['web-1']],
    ]);
    const states = Object.fromEntries((await provider.inventory.instances()).map((i) => [i.id, i.state]));
    expect(states).toEqual({ 'api-0': 'running', 'api-1': 'terminated', 'api-2': 'running', 'api-3': 'terminated', 'web-0': 'running', 'web-1': 'terminated' });
  });

  it('still honours the blast radius: a group that is all sick is refused beyond maxGroupShare', async () => {
    const { provider, treatments } = await examineAndTreat(unleashed, { 'web-0': false, 'web-1': false, 'api-0': false });
    const web = treatments.find((t) => t.group === 'web')!;
    expect(web.decision).toMatchObject({ outcome: 'skipped', reason: 'blast-radius' });
    expect(treatments.find((t) => t.group === 'api')!.decision.outcome).toBe('executed');
    expect(provider.calls.map((c) => (c.method === 'terminate' ? c.instanceId : c.method))).toEqual(['api-0']);
  });

  it('asks nothing of the pipeline when nobody is sick', async () => {
    const { provider, treatments } = await examineAndTreat(unleashed, { 'api-0': 'unknown' });
    expect(treatments).toEqual([]);
    expect(provider.calls).toEqual([]);
  });
});
