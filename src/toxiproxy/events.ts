/**
 * @module
 * What the proxy server reports as it works. Metrics subscribe to these; so can tests (to wait until the proxy
 * has read data before moving a manual clock) and the game-day UI.
 */
import type { EndKind } from './stage.js';
import type { StreamDirection, ToxicJson } from './toxic.js';

/** An event of the Toxiproxy-compatible server. */
export type ToxiproxyEvent =
  | { readonly type: 'proxy.created' | 'proxy.deleted' | 'proxy.disabled'; readonly proxy: string }
  | { readonly type: 'proxy.enabled'; readonly proxy: string; readonly listen: string }
  | { readonly type: 'toxic.added' | 'toxic.updated' | 'toxic.removed'; readonly proxy: string; readonly toxic: ToxicJson }
  | { readonly type: 'connection.opened' | 'connection.closed'; readonly proxy: string }
  | {
      /** `received`: read from the source socket (and already handed to the toxics); `sent`: written to the destination. */
      readonly type: 'bytes.received' | 'bytes.sent';
      readonly proxy: string;
      readonly direction: StreamDirection;
      readonly bytes: number;
    }
  | {
      /** No more data will be read in this direction: `eof` (the sender's FIN), `close` or `reset`. */
      readonly type: 'stream.ended';
      readonly proxy: string;
      readonly direction: StreamDirection;
      readonly kind: EndKind;
    };

/** The type names of {@link ToxiproxyEvent}. */
export type ToxiproxyEventType = ToxiproxyEvent['type'];

/** Where proxies send their events. */
export type EmitToxiproxyEvent = (event: ToxiproxyEvent) => void;
