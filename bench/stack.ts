/**
 * The reference stack's figures, measured in one run on this machine:
 * - start-up of the `default` topology (2 regions × 3 zones) until every instance is ready;
 * - throughput of an API call through the whole stack (front door → gateway → catalog) versus a bare Node HTTP
 *   server answering the same JSON on the same machine, same client, same concurrency (ratio), as many viewers
 *   (tokens) as keep each under the gateway's per-client limit, failures counted by status; then the same call
 *   from each hop inward (gateway, catalog, with and without their proxies), which says where the time goes;
 * - the fault proxy's overhead per request: one instance's /health through its proxy versus direct (ratio);
 * - start-up and memory of the `small` and `default` topologies (time to the first instance ready and to all ready,
 *   resident set per instance, median and max, after a little traffic), from the built CLI, from dist/ and from the
 *   sources (see stack-footprint.ts). `npm run build` first: the CLI and dist/ figures run the built code.
 *
 * Usage: npm run bench:stack [-- --seconds 5 --concurrency 16 --viewers 64 --topology default
 *   --footprint cli,dist,sources --footprint-topologies small,default --skip-throughput]
 * The throughput figures run instances from the sources through tsx (this file runs through tsx).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ReferenceStack } from '../src/reference-stack/stack/reference-stack.js';
import { cliFootprint, inProcessFootprint, type Footprint, type StartPath } from './stack-footprint.js';
import { loadTopology } from '../src/reference-stack/topology/topology.js';
import { createToxiproxyServer } from '../src/toxiproxy/server.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    viewers: { type: 'string', default: '64' },
    topology: { type: 'string', default: 'default' },
    footprint: { type: 'string', default: 'cli,dist,sources' },
    'footprint-topologies': { type: 'string', default: 'small,default' },
    'skip-throughput': { type: 'boolean', default: false },
  },
});

// Start-up and memory first, one stack at a time, each in processes of its own: nothing else runs meanwhile.
const footprints: Footprint[] = [];
for (const topology of args['footprint-topologies'].split(',').filter(Boolean)) {
  for (const path of args.footprint.split(',').filter(Boolean) as StartPath[]) {
    const footprint = path === 'cli' ? await cliFootprint(topology) : await inProcessFootprint(topology, path);
    footprints.push(footprint);
    const first = footprint.firstReadyMs === undefined ? '' : `first ready ${footprint.firstReadyMs} ms, `;
    console.error(
      `${topology.padEnd(8)} ${path.padEnd(8)} ${footprint.instances} instances: ${first}all ready ${footprint.allReadyMs} ms; ` +
        `rss median ${footprint.rssMb.median} MB, max ${footprint.rssMb.max} MB (${footprint.rssMb.largest}); pss median ${footprint.pssMb.median} MB, max ${footprint.pssMb.max} MB; stack process ${footprint.stackProcessRssMb} MB`,
    );
  }
}
if (args['skip-throughput']) {
  console.log(JSON.stringify({ node: process.version, footprints }, null, 2));
  process.exit(0);
}
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const VIEWERS = Number(args.viewers);

/** What one throughput run saw: answers per second, mean latency, and every failure by its status. */
interface Throughput {
  rps: number;
  meanMs: number;
  errors: number;
  /** Failures by HTTP status, `network` for no answer at all. */
  errorsByStatus: Record<string, number>;
}

/**
 * Requests per second that `concurrency` sequential loops achieve for `seconds`. `headers(i)` gives request i its
 * headers: the stack's calls rotate over many viewers, so no one viewer runs into the gateway's per-client limit
 * (50 a second) and the figure measures the path, not the limiter.
 */
async function throughput(url: string, headers: (i: number) => Record<string, string> = () => ({}), seconds = SECONDS): Promise<Throughput> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let sent = 0;
  let latency = 0;
  const errorsByStatus: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const response = await fetch(url, { headers: headers(sent++) }).catch(() => undefined);
        await response?.arrayBuffer();
        latency += performance.now() - started;
        if (response?.ok) done++;
        else {
          const key = response ? String(response.status) : 'network';
          errorsByStatus[key] = (errorsByStatus[key] ?? 0) + 1;
        }
      }
    }),
  );
  const errors = Object.values(errorsByStatus).reduce((a, b) => a + b, 0);
  return { rps: Math.round(done / seconds), meanMs: Math.round((latency / Math.max(1, done + errors)) * 1000) / 1000, errors, errorsByStatus };
}

const round = (x: number) => Math.round(x * 100) / 100;
const dataDir = mkdtempSync(join(tmpdir(), 'simian-bench-'));
const toxiproxy = await createToxiproxyServer({ host: '127.0.0.1', port: 0 });
const bare = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ titles: [{ id: 't001', name: 'The Silent Harbor' }] }));
});
await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', ok));
let stack: ReferenceStack | undefined;
try {
  const started = performance.now();
  stack = await ReferenceStack.start({ topology: await loadTopology(args.topology), dataDir, toxiproxyUrl: toxiproxy.url });
  const startupMs = Math.round(performance.now() - started);
  const frontDoor = stack.frontDoorUrl!;
  // Enough viewers that each stays well under the gateway's per-client limit at any throughput this machine reaches.
  const tokens = await Promise.all(
    Array.from({ length: VIEWERS }, async (_, i) => {
      const login = await fetch(`${frontDoor}/api/login`, { method: 'POST', body: JSON.stringify({ username: `bench-viewer-${i}`, password: 'simian' }) });
      return ((await login.json()) as { token: string }).token;
    }),
  );
  const asViewer = (i: number) => ({ authorization: `Bearer ${tokens[i % tokens.length]!}` });
  // Let discovery caches and connection pools settle before measuring.
  await throughput(`${frontDoor}/api/titles?limit=1`, asViewer, 1);
  const viaStack = await throughput(`${frontDoor}/api/titles?limit=1`, asViewer);
  const bareServer = await throughput(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/titles`);
  // The same call from each hop inward, so the cost of each hop is the difference between two of them.
  const gateway = stack.inventory().find((i) => i.service === 'gateway')!;
  const catalog = stack.inventory().find((i) => i.service === 'catalog')!;
  const hops = {
    frontDoorProxied: viaStack,
    gatewayProxied: await throughput(`${gateway.publicAddress}/api/titles?limit=1`, asViewer),
    gatewayDirect: await throughput(`${gateway.address}/api/titles?limit=1`, asViewer),
    catalogProxied: await throughput(`${catalog.publicAddress}/titles?limit=1`),
    catalogDirect: await throughput(`${catalog.address}/titles?limit=1`),
  };
  const direct = await throughput(`${catalog.address}/health`);
  const proxied = await throughput(`${catalog.publicAddress}/health`);
  console.log(
    JSON.stringify(
      {
        node: process.version,
        topology: args.topology,
        instances: stack.inventory().length,
        startupMs,
        footprints,
        apiThroughput: { concurrency: CONCURRENCY, viewers: VIEWERS, seconds: SECONDS, throughStack: viaStack, bareNodeServer: bareServer, ratio: round(viaStack.rps / bareServer.rps) },
        // Mean latency of each hop: what a request spends in it and everything behind it.
        hops: Object.fromEntries(Object.entries(hops).map(([hop, t]) => [hop, { rps: t.rps, meanMs: t.meanMs, errors: t.errorsByStatus }])),
        proxyOverhead: { direct, throughProxy: proxied, latencyRatio: round(proxied.meanMs / direct.meanMs), throughputRatio: round(proxied.rps / direct.rps) },
      },
      null,
      2,
    ),
  );
} finally {
  await stack?.stop();
  await toxiproxy.close();
  bare.close();
  rmSync(dataDir, { recursive: true, force: true });
}
