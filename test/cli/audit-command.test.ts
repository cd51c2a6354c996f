/**
 * `simian conformity` and `simian security` driven in-process: the local provider reads a real admin API in this
 * process whose inventory lists real small services on loopback; findings come out as a table or JSON, and the
 * exit code says whether one is of high severity.
 */
import { createAdaptorServer } from '@hono/node-server';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conformityCommand, securityCommand } from '../../src/cli/commands/audit.js';
import { systemClock } from '../../src/core/clock.js';
import { createProgram } from '../../src/cli/program.js';
import type { ProviderRegistry } from '../../src/engine/provider-registry.js';
import { AUDIT_RULE_IDS } from '../../src/monkeys/audit/rule-ids.js';
import { LocalProvider, type AdminInstance } from '../../src/providers/local/local-provider.js';
import { createDiscoveryService } from '../../src/reference-stack/discovery/discovery-service.js';
import type { ServiceName } from '../../src/reference-stack/service-kit/identity.js';
import { createServiceApp } from '../../src/reference-stack/service-kit/service-app.js';
import { createStackAdminApi } from '../../src/reference-stack/stack/stack-admin-api.js';
import { loopbackServers } from '../support/loopback-servers.js';

const servers = loopbackServers();
let dir = '';
let configFile = '';
let inventory: AdminInstance[] = [];
let adminUrl = '';

const serve = (app: { fetch: (r: Request) => Response | Promise<Response> }) => servers.listen(createAdaptorServer({ fetch: app.fetch }) as Server);

async function instance(service: ServiceName, zone: string, options: { sick?: boolean } = {}): Promise<AdminInstance> {
  const id = `${service}-${zone}-0`;
  const app = createServiceApp({ identity: { service, region: 'us-east', zone, instanceId: id }, routes: () => undefined, ...(options.sick ? { health: () => ({ ok: false }) } : {}) }).app;
  const address = await serve(app);
  return { id, service, region: 'us-east', zone, pid: process.pid, address, publicAddress: address, launchedAt: systemClock.now(), state: 'running', tags: { owner: `${service}-team` } };
}

/** Two discovery instances in two zones: a stack that conforms and is secure. */
async function discoveryPair(): Promise<AdminInstance[]> {
  return Promise.all(
    ['us-east-1a', 'us-east-1b'].map(async (zone) => {
      const id = `discovery-${zone}-0`;
      const address = await serve(createDiscoveryService({ identity: { service: 'discovery', region: 'us-east', zone, instanceId: id }, stackToken: 'token' }).app);
      return { id, service: 'discovery', region: 'us-east', zone, pid: process.pid, address, publicAddress: address, launchedAt: systemClock.now(), state: 'running' };
    }),
  );
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simian-audit-cli-'));
  configFile = join(dir, 'simian.yaml');
  await writeFile(configFile, 'stateDir: state\n');
  inventory = [];
  adminUrl = await serve(createStackAdminApi({ stackToken: 'token', inventory: () => inventory, signal: () => ({ outcome: 'unknown' }), metrics: async () => '' }));
});
afterEach(async () => {
  await servers.closeAll();
  await rm(dir, { recursive: true, force: true });
});

const providers: ProviderRegistry = {
  create: (name) => {
    if (name !== 'local') throw new Error(`the test registry has no ${name}`);
    return new LocalProvider({ adminUrl });
  },
  forRevert: () => {
    throw new Error('an audit never reverts');
  },
};

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const program = createProgram({ version: 't', writeOut: (t) => (out += t), writeErr: (t) => (err += t), providers }, [conformityCommand, securityCommand]);
  const error = await program.parseAsync([...args, '--config', configFile], { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e as { code?: string; exitCode?: number; message?: string },
  );
  return { out, err, error };
}

describe('simian conformity', () => {
  it('lists findings with rule id, severity, resource, owner and why, and exits 1 on a high-severity one', async () => {
    inventory = [...(await discoveryPair()), await instance('catalog', 'us-east-1a', { sick: true })];
    const { out, error } = await run('conformity', '--provider', 'local');
    expect(error).toMatchObject({ code: 'audit.highSeverity', exitCode: 1 });
    const [header, ...rows] = out.trim().split('\n');
    expect(header).toMatch(/^SEVERITY\s+RULE\s+RESOURCE\s+OWNER\s+WHY$/);
    expect(rows[0]).toMatch(/^high\s+conformity\.health-check\s+catalog-us-east-1a-0\s+catalog-team\s+its health check http:\/\/127\.0\.0\.1:\d+\/health gave HTTP 503, not 200$/);
    expect(out).toMatch(/medium\s+conformity\.discovery-registration\s+catalog-us-east-1a-0/);
    expect(out).toMatch(/medium\s+conformity\.single-zone\s+catalog@us-east/);
    expect(out).toContain('conformity: 3 finding(s) on local, 1 of high severity (6 rules evaluated)');
  });

  it('--json gives the run; a rule turned off in simian.yaml is not evaluated, and without a high finding it exits 0', async () => {
    inventory = [...(await discoveryPair()), await instance('catalog', 'us-east-1a', { sick: true })];
    await writeFile(configFile, 'stateDir: state\naudit:\n  disabledRules: [conformity.health-check]\n');
    const { out, error } = await run('conformity', '--provider', 'local', '--json');
    expect(error).toBeUndefined();
    const body = JSON.parse(out) as { monkey: string; provider: string; rules: { disabled: string[] }; findings: { rule: string; severity: string; resource: string; owner?: string }[] };
    expect(body).toMatchObject({ monkey: 'conformity', provider: 'local', rules: { disabled: ['conformity.health-check'] } });
    expect(body.findings).toEqual([
      expect.objectContaining({ rule: 'conformity.discovery-registration', severity: 'medium', resource: 'catalog-us-east-1a-0', owner: 'catalog-team' }),
      expect.objectContaining({ rule: 'conformity.single-zone', severity: 'medium', resource: 'catalog@us-east' }),
    ]);
  });

  it('refuses a provider without audit rules with a usage error (exit 2), before reading anything', async () => {
    const { error } = await run('conformity', '--provider', 'toxiproxy');
    expect(error).toMatchObject({ code: 'audit.unsupportedProvider', exitCode: 2 });
    expect(error!.message).toContain('not "toxiproxy"');
  });

  it('refuses an unknown rule id in audit.disabledRules with file:line: field', async () => {
    await writeFile(configFile, 'stateDir: state\naudit:\n  disabledRules: [conformity.health-chek]\n');
    const { error } = await run('conformity', '--provider', 'local');
    expect(error).toMatchObject({ code: 'config.invalid', exitCode: 2 });
    expect(error!.message).toBe(`${configFile}:3: audit.disabledRules[0]: no audit rule "conformity.health-chek"; did you mean "conformity.health-check"? (known: ${[
      'conformity.health-check',
      'conformity.discovery-registration',
      'conformity.single-zone',
      'conformity.circuit-breaker',
      'conformity.timeout',
      'conformity.instance-age',
      'security.all-interfaces',
      'security.unauthenticated-write',
      'security.gateway-rate-limit',
      ...AUDIT_RULE_IDS.slice(9),
    ].join(', ')})`);
  });
});

describe('simian security', () => {
  it('says there is nothing to report on a stack whose writes are guarded and which listens on loopback', async () => {
    inventory = await discoveryPair();
    const { out, error } = await run('security', '--provider', 'local');
    expect(error).toBeUndefined();
    expect(out).toBe('security: no findings on local (3 rules evaluated)\n');
  });

  it('reports a route that changes state without credentials, not a route the instance does not have', async () => {
    // A "discovery" whose DELETE lacks the token guard: for an unknown instance it answers 404 {error}, the route
    // ran. It has no POST or PUT route at all: the framework's plain 404 is no finding.
    const id = 'discovery-us-east-1a-9';
    const unguarded = createServiceApp({
      identity: { service: 'discovery', region: 'us-east', zone: 'us-east-1a', instanceId: id },
      routes: (app) => app.delete('/v1/instances/:id', (c) => c.json({ error: 'unknown instance' }, 404)),
    }).app;
    const address = await serve(unguarded);
    inventory = [...(await discoveryPair()).slice(1), { id, service: 'discovery', region: 'us-east', zone: 'us-east-1a', pid: process.pid, address, launchedAt: systemClock.now(), state: 'running', tags: { owner: 'discovery-team' } }];
    const { out, error } = await run('security', '--provider', 'local', '--json');
    expect(error).toMatchObject({ code: 'audit.highSeverity', exitCode: 1 });
    const body = JSON.parse(out) as { findings: { rule: string; resource: string; owner: string; why: string }[] };
    expect(body.findings).toEqual([
      {
        monkey: 'security',
        rule: 'security.unauthenticated-write',
        severity: 'high',
        resource: id,
        owner: 'discovery-team',
        why: `DELETE ${address}/v1/instances/simian-audit-probe without credentials answered HTTP 404 (the route ran) instead of 401 or 403`,
      },
    ]);
  });
});
