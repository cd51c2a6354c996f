/**
 * @module
 * The daemon's recent events for `GET /v1/events`: a bounded ring, so a daemon that runs for months holds a
 * fixed amount of them; the state store keeps the history.
 */

/** One event as the API shows it: when, what kind, and what the event said. */
export interface LoggedEvent {
  readonly at: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** The newest `capacity` events. */
export class EventLog {
  private readonly events: LoggedEvent[] = [];

  constructor(private readonly capacity = 500) {}

  add(event: LoggedEvent): void {
    this.events.push(event);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
  }

  /** The events after `since` (epoch ms), oldest first. */
  since(since: number): LoggedEvent[] {
    return this.events.filter((e) => e.at > since);
  }
}
