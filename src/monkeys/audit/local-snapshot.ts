/**
 * @module
 * What the local rules read: a plain snapshot of the running reference stack, gathered once by
 * `collectLocalSnapshot` (the only code here that does I/O) and then judged by pure rules. A fact that could not
 * be gathered is `undefined` (cannot tell), never a made-up pass or fail: rules skip what they cannot judge.
 */

/** A TCP socket a process listens on, read from `/proc/<pid>/net/tcp{,6}`. */
export interface ListeningSocket {
  /** The local address as written: `127.0.0.1`, `0.0.0.0`, `::1`, `::`. */
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** What the health endpoint of an instance answered. */
export interface HealthAnswer {
  /** The HTTP status; absent when no answer came. */
  readonly status?: number;
  /** What went wrong when no answer came (refused, timed out). */
  readonly error?: string;
  readonly url: string;
}

/** The resilience policies an instance reports per `name` label of `resilience_calls_total`. */
export interface PolicyUse {
  /** The `name` label: what the policies protect (the ServiceClient names them after the target service). */
  readonly name: string;
  /** The `policy` labels seen with it: `circuit_breaker`, `retry`, `bulkhead`, `timeout`, … */
  readonly policies: readonly string[];
}

/** One running instance of the stack and what was found out about it. */
export interface InstanceFacts {
  /** The supervisor's slot id (`catalog-us-east-1a-0`). */
  readonly id: string;
  readonly service: string;
  readonly region: string;
  readonly zone: string;
  /** Epoch ms of the current process's launch. */
  readonly launchedAt: number;
  readonly pid?: number;
  /** The `owner` tag, if it has one. */
  readonly owner?: string;
  /** `GET <own address>/health`; absent when the instance has no address. */
  readonly health?: HealthAnswer;
  /**
   * Whether discovery knows it: absent when the service never registers (discovery, the front door) or when no
   * discovery instance of its region answered.
   */
  readonly registered?: boolean;
  /** From its `/metrics`; absent when the scrape failed. */
  readonly policies?: readonly PolicyUse[];
  /**
   * A gateway's per-client rate limit from `gateway_client_rate_limit{setting}` of its `/metrics`: absent when the
   * scrape failed; `null` when the gateway reports none.
   */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number } | null;
}

/** A process of the stack and the sockets it listens on. */
export interface ProcessListeners {
  /** How findings name it: an instance id, or `stack (pid 4242)` for the stack's own process. */
  readonly resource: string;
  readonly owner?: string;
  readonly pid: number;
  /** Absent when `/proc/<pid>` could not be read (another user's process, not Linux). */
  readonly sockets?: readonly ListeningSocket[];
}

/**
 * A request without credentials sent to a route that changes state, aimed at something that does not exist, so
 * that a route that lets it through changes nothing: it answers the way it answers a bad target (`openStatuses`)
 * rather than 401 or 403.
 */
export interface UnauthenticatedProbe {
  readonly resource: string;
  readonly owner?: string;
  readonly method: string;
  readonly url: string;
  /** What came back; absent when nothing did (then the rule cannot tell). */
  readonly status?: number;
  /** The statuses by which this route says it ran for the bogus target (404 unknown instance, 400 bad body). */
  readonly openStatuses: readonly number[];
  /**
   * False when the answer was not the route's own but the server's for a path it does not serve: a 404 or 405
   * without a JSON body (the stack's routes answer errors as JSON `{error}`). Such an instance has no such route.
   */
  readonly routeFound?: boolean;
}

/** Everything the local Conformity and Security rules read. */
export interface LocalSnapshot {
  /** When it was taken, epoch ms: ages are measured from here. */
  readonly takenAt: number;
  /** The running instances (starting, stopped and crashed ones are the Janitor's business). */
  readonly instances: readonly InstanceFacts[];
  /** The stack's processes (every instance and the stack's own), with their listening sockets. */
  readonly listeners: readonly ProcessListeners[];
  readonly probes: readonly UnauthenticatedProbe[];
}
