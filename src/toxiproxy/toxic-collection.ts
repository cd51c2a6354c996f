/**
 * @module
 * The toxics of one proxy, one chain per direction. Every change reaches the connections already open, as in
 * Toxiproxy: a latency added now slows the next bytes of a long-lived connection, and removing it lets held
 * data go at once.
 */
import { ApiError } from './api-error.js';
import type { Link } from './link.js';
import { DIRECTIONS, parseNewToxic, parseToxicUpdate, type StreamDirection, type Toxic } from './toxic.js';

/** What happened to a toxic. */
export type ToxicChange = 'toxic.added' | 'toxic.updated' | 'toxic.removed';

/** Toxics of a proxy. */
export class ToxicCollection {
  private readonly chains: Record<StreamDirection, Toxic[]> = { upstream: [], downstream: [] };

  /**
   * @param links the links of the proxy's open connections in a direction, looked up on each change
   * @param changed told of every change, after it reached the open connections
   */
  constructor(
    private readonly links: (direction: StreamDirection) => Iterable<Link>,
    private readonly changed: (change: ToxicChange, toxic: Toxic) => void = () => undefined,
  ) {}

  /** Every toxic: upstream ones first, each direction in the order added (Toxiproxy's order). */
  list(): Toxic[] {
    return DIRECTIONS.flatMap((d) => this.chains[d]);
  }

  /** The chain of a direction, in order. */
  chain(direction: StreamDirection): readonly Toxic[] {
    return this.chains[direction];
  }

  /** How many toxics a direction has. */
  count(direction: StreamDirection): number {
    return this.chains[direction].length;
  }

  /** A toxic by name (names are unique across both directions). */
  get(name: string): Toxic | undefined {
    return this.list().find((t) => t.name === name);
  }

  /** A toxic by name, or 404 "toxic not found". */
  require(name: string): Toxic {
    const toxic = this.get(name);
    if (!toxic) throw ApiError.toxicNotFound();
    return toxic;
  }

  /** Adds a toxic from a create body; 409 when the name is taken. */
  add(body: unknown): Toxic {
    const toxic = parseNewToxic(body);
    if (this.get(toxic.name)) throw ApiError.toxicAlreadyExists();
    this.chains[toxic.stream].push(toxic);
    for (const link of this.links(toxic.stream)) link.addToxic(toxic);
    this.changed('toxic.added', toxic);
    return toxic;
  }

  /** Updates toxicity and attributes; each open connection draws the toxicity again, as Toxiproxy does. */
  update(name: string, body: unknown): Toxic {
    const toxic = this.require(name);
    const update = parseToxicUpdate(toxic, body);
    toxic.toxicity = update.toxicity;
    toxic.attributes = update.attributes;
    for (const link of this.links(toxic.stream)) link.replaceToxic(toxic);
    this.changed('toxic.updated', toxic);
    return toxic;
  }

  /** Removes a toxic; 404 when there is none by that name. */
  remove(name: string): Toxic {
    const toxic = this.require(name);
    const chain = this.chains[toxic.stream];
    chain.splice(chain.indexOf(toxic), 1);
    for (const link of this.links(toxic.stream)) link.removeToxic(toxic);
    this.changed('toxic.removed', toxic);
    return toxic;
  }

  /** Removes every toxic; returns what was removed. */
  reset(): Toxic[] {
    const removed = this.list();
    for (const toxic of removed) this.remove(toxic.name);
    return removed;
  }
}
