/**
 * @module
 * Which panel gets how many lines and columns. The frame is at most `rows − 1` lines: ink 6.8 clears the whole
 * screen and redraws it on every frame once a frame is as tall as the terminal (vadimdemedes/ink#450), which
 * flickers and wipes the scrollback. Every line is at most `columns` wide, and every `Text` truncates, so nothing
 * wraps into an extra line.
 *
 * ```
 * header                                         1 line
 * map        │ SLOs                              body: rows − 4 lines
 *            │ dependencies
 *            │ active faults
 *            │ timeline (the rest)
 * status                                         1 line
 * footer (key hints)                             1 line
 * ```
 */
/** A terminal's size in character cells. */
export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** The smallest terminal the console draws its panels in. */
export const MINIMUM_SIZE: TerminalSize = { columns: 80, rows: 24 };

/** `terminal too small: needs 80×24, have 79×24`. */
export function tooSmallMessage(size: TerminalSize): string {
  return `terminal too small: needs ${MINIMUM_SIZE.columns}×${MINIMUM_SIZE.rows}, have ${size.columns}×${size.rows}`;
}

/** What the panels would like to show: the layout grants what fits. */
export interface LayoutDemand {
  /** The columns the map needs when it may take up to `maxWidth`. */
  mapWidth(maxWidth: number): number;
  readonly slos: number;
  readonly dependencies: number;
  readonly faults: number;
}

/** Lines per section include the section's title line. */
export interface PanelLayout {
  readonly kind: 'panels';
  readonly columns: number;
  /** The whole frame: `rows − 1`. */
  readonly height: number;
  /** Lines between the header and the status line; overlays get the same box. */
  readonly body: number;
  readonly leftWidth: number;
  readonly rightWidth: number;
  /** The left column is the map's, all the body's height: a taller terminal shows more of a big map. */
  readonly map: number;
  readonly slos: number;
  readonly dependencies: number;
  readonly faults: number;
  readonly timeline: number;
  readonly sloNameWidth: number;
  readonly sparklineWidth: number;
}

/** A terminal below {@link MINIMUM_SIZE}: one line saying so. */
export interface TooSmallLayout {
  readonly kind: 'too-small';
  readonly columns: number;
  readonly message: string;
}

/** The outcome of {@link planLayout}. */
export type ConsoleLayout = PanelLayout | TooSmallLayout;

/** Lines outside the body: header, status line, footer. */
const CHROME_LINES = 3;
const MIN_LEFT_WIDTH = 28;
/** The columns of an SLO row besides its name and sparkline: marker, now, objective, budget left, burn, gaps. */
export const SLO_FIXED_COLUMNS = 2 + 6 + 1 + 6 + 1 + 5 + 1 + 5 + 1 + 1;

/** Decides the console's layout for a terminal of `size` and what the view holds. */
export function planLayout(size: TerminalSize, demand: LayoutDemand): ConsoleLayout {
  const { columns, rows } = size;
  if (columns < MINIMUM_SIZE.columns || rows < MINIMUM_SIZE.rows) {
    return { kind: 'too-small', columns: Math.max(0, columns), message: tooSmallMessage(size) };
  }
  const height = rows - 1;
  const body = height - CHROME_LINES;

  const maxLeft = Math.floor(columns * 0.45);
  const leftWidth = Math.min(maxLeft, Math.max(MIN_LEFT_WIDTH, demand.mapWidth(maxLeft)));
  const rightWidth = columns - leftWidth - 1;

  // Right: SLOs, dependencies and faults get what they ask for up to a share of the body each; the timeline takes
  // the rest (at least a fifth), so a taller terminal shows more of it. No faults take one line: "none in force".
  const share = (wanted: number, fraction: number): number => Math.min(wanted, Math.max(2, Math.floor(body * fraction)));
  const slos = share(1 + Math.max(1, demand.slos), 0.3);
  const dependencies = share(1 + Math.max(1, demand.dependencies), 0.25);
  const faults = demand.faults === 0 ? 1 : share(1 + demand.faults, 0.25);
  const timeline = body - slos - dependencies - faults;

  const sloNameWidth = rightWidth >= 70 ? 20 : 12;
  const sparklineWidth = Math.max(0, rightWidth - SLO_FIXED_COLUMNS - sloNameWidth);
  return {
    kind: 'panels',
    columns,
    height,
    body,
    leftWidth,
    rightWidth,
    map: body,
    slos,
    dependencies,
    faults,
    timeline,
    sloNameWidth,
    sparklineWidth,
  };
}
