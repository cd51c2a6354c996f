/**
 * The reference stack's figures, measured in one run on this machine:
 * - start-up of the `default` topology (2 regions × 3 zones) until every instance is ready;
 * - throughput of an API call through the whole stack (front door → gateway → catalog) versus a bare Node HTTP
 *   server answering the same JSON on the same machine, same client, same concurrency (ratio);
 * - the fault proxy's overhead per request: one instance's /health through its proxy versus direct (ratio);
 * - start-up and memory of the `small` and `default` topologies (time to the first instance ready and to all ready,
 *   resident set per instance, median and max, after a little traffic), from the built CLI, from dist/ and from the
 *   sources (see stack-footprint.ts). `npm run build` first: the CLI and dist/ figures run the built code.
 *
 * Usage: npm run bench:stack [-- --seconds 5 --concurrency 16 --topology default
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
        `rss median ${footprint.rssMb.median} MB, max ${footprint.rssMb.max} MB (${footprint.rssMb.largest}); stack process ${footprint.stackProcessRssMb} MB`,
    );
  }
}
if (args['skip-throughput']) {
  console.log(JSON.stringify({ node: process.version, footprints }, null, 2));
  process.exit(0);
}
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);

/** Requests per second that `concurrency` sequential loops achieve for `seconds`, and their mean latency. */
async function throughput(url: string, init: RequestInit = {}, seconds = SECONDS): Promise<{ rps: number; meanMs: number; errors: number }> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  let latency = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const response = await fetch(url, init).catch(() => undefined);
        await response?.arrayBuffer();
        latency += performance.now() - started;
        if (response?.ok) done++;
        else errors++;
      }
    }),
  );
  return { rps: Math.round(done / seconds), meanMs: Math.round((latency / Math.max(1, done + errors)) * 1000) / 1000, errors };
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
  const login = await fetch(`${frontDoor}/api/login`, { method: 'POST', body: JSON.stringify({ username: 'bench-viewer', password: 'simian' }) });
  const { token } = (await login.json()) as { token: string };
  const auth = { headers: { authorization: `Bearer ${token}` } };
  // Let discovery caches settle before measuring.
  await throughput(`${frontDoor}/api/titles?limit=1`, auth, 1);
  const viaStack = await throughput(`${frontDoor}/api/titles?limit=1`, auth);
  const bareServer = await throughput(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/titles`);
  const catalog = stack.inventory().find((i) => i.service === 'catalog')!;
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
        apiThroughput: { concurrency: CONCURRENCY, seconds: SECONDS, throughStack: viaStack, bareNodeServer: bareServer, ratio: round(viaStack.rps / bareServer.rps) },
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
