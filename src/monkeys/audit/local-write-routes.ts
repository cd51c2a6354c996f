/**
 * @module
 * The routes of the reference stack that change state, and for each a request that is harmless whether or not the
 * route checks credentials: it names an instance, region or proxy that does not exist, or carries a body the route
 * refuses before doing anything. Sent without credentials, a guarded route answers 401 or 403; a route that lets it
 * through answers the way it answers that bad target (its `openStatuses`), having changed nothing.
 *
 * `POST /login` of the user service (and `/api/login` of the gateway) is left out: it is how a viewer gets
 * credentials, so it takes none. Read-only routes (GET) are out of scope.
 */
import { GATEWAY_ROUTES } from '../../reference-stack/gateway/routes.js';

/** The name every probe gives the thing it pretends to change, so that a log reader knows what it was. */
export const PROBE_TARGET = 'simian-audit-probe';

/** One harmless request to a route that changes state. */
export interface WriteRouteProbe {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** A JSON body, sent with `content-type: application/json`. */
  readonly body?: string;
  /** What the route answers this request with when it runs: proof that nothing checked credentials. */
  readonly openStatuses: readonly number[];
}

const gatewayWrites: WriteRouteProbe[] = GATEWAY_ROUTES.filter((r) => r.method !== 'GET' && r.authenticated).map((r) => ({
  method: r.method as 'POST',
  // A path parameter gets the probe's name; a list body is refused (400) before any upstream call.
  path: r.path.replace(/:[A-Za-z]+/g, PROBE_TARGET),
  body: '[]',
  openStatuses: [400],
}));

/** The probes of each service's instances. */
export const SERVICE_WRITE_ROUTES: Readonly<Record<string, readonly WriteRouteProbe[]>> = {
  discovery: [
    { method: 'POST', path: '/v1/instances', body: '{}', openStatuses: [400] },
    { method: 'PUT', path: `/v1/instances/${PROBE_TARGET}/heartbeat`, openStatuses: [404] },
    { method: 'DELETE', path: `/v1/instances/${PROBE_TARGET}`, openStatuses: [404] },
  ],
  frontdoor: [
    { method: 'POST', path: `/admin/regions/${PROBE_TARGET}/evacuate`, openStatuses: [404] },
    { method: 'POST', path: `/admin/regions/${PROBE_TARGET}/restore`, openStatuses: [404] },
    // An open route would take the list (204) or refuse the unknown region in it (400).
    { method: 'PUT', path: '/admin/evacuations', body: `{"version":0,"evacuated":["${PROBE_TARGET}"]}`, openStatuses: [204, 400] },
  ],
  // Without an Idempotency-Key header the route refuses the write (400) before it reads the store.
  billing: [{ method: 'POST', path: '/subscriptions', body: '{}', openStatuses: [400] }],
  gateway: gatewayWrites,
};

/** The stack process's admin API (`stack-admin-api.ts`): an unknown slot is 404 before any signal. */
export const STACK_ADMIN_WRITE_ROUTES: readonly WriteRouteProbe[] = [
  { method: 'POST', path: `/instances/${PROBE_TARGET}/terminate`, body: '{"pid":1}', openStatuses: [404] },
  { method: 'POST', path: `/admin/regions/${PROBE_TARGET}/evacuate`, openStatuses: [404] },
  { method: 'POST', path: `/admin/regions/${PROBE_TARGET}/restore`, openStatuses: [404] },
];

/** The stack's Toxiproxy admin API: a toxic on a proxy that does not exist is 404 before anything is made. */
export const TOXIPROXY_WRITE_ROUTES: readonly WriteRouteProbe[] = [
  { method: 'POST', path: `/proxies/${PROBE_TARGET}/toxics`, body: '{"type":"latency","attributes":{"latency":1}}', openStatuses: [404] },
];
