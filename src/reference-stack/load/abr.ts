/**
 * @module
 * Adaptive bitrate, as a player does it (buffer-based, in the spirit of Netflix's BBA): start low, climb the ladder
 * while the buffer is healthy and segments arrive faster than they play, step down when a download eats into the
 * buffer. Playback is simulated in media time, so a run need not play minutes of video to measure rebuffering.
 */

/** The state of a simulated player between segments. */
export interface PlayerState {
  /** Index on the ladder of the next segment's rendition. */
  readonly rung: number;
  /** Media time buffered ahead of the play head, ms. */
  readonly bufferMs: number;
  /** Media time played, ms. */
  readonly playedMs: number;
  /** Time stalled waiting for data after playback started, ms. */
  readonly rebufferMs: number;
  /** Whether the first segment arrived (before it, waiting is start-up delay, not rebuffering). */
  readonly started: boolean;
}

/** Buffer above which the player may climb the ladder. */
const CLIMB_ABOVE_MS = 8_000;

/** A fresh player: lowest rung, empty buffer. */
export function startPlayer(): PlayerState {
  return { rung: 0, bufferMs: 0, playedMs: 0, rebufferMs: 0, started: false };
}

/**
 * Accounts for one downloaded segment of `segmentMs` media that took `downloadMs` to fetch, then chooses the rung
 * of the next segment on a ladder of `rungs` renditions.
 */
export function afterSegment(state: PlayerState, segmentMs: number, downloadMs: number, rungs: number): PlayerState {
  // While the segment downloads, the play head consumes the buffer; what the buffer cannot cover is a stall.
  const played = Math.min(state.bufferMs, downloadMs);
  const stalled = state.started ? downloadMs - played : 0;
  const bufferMs = state.bufferMs - played + segmentMs;
  let rung = state.rung;
  if (downloadMs > segmentMs * 0.8 || (state.started && bufferMs < segmentMs)) rung = Math.max(0, rung - 1);
  else if (bufferMs > CLIMB_ABOVE_MS && downloadMs < segmentMs * 0.3) rung = Math.min(rungs - 1, rung + 1);
  return { rung, bufferMs, playedMs: state.playedMs + played, rebufferMs: state.rebufferMs + stalled, started: true };
}

/** The viewer watches what is left in the buffer and stops. */
export function finishPlayback(state: PlayerState): PlayerState {
  return { ...state, playedMs: state.playedMs + state.bufferMs, bufferMs: 0 };
}
