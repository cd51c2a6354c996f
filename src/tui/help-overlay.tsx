/**
 * @module
 * The `?` overlay: every key and what it does.
 */
import { KEY_BINDINGS } from './key-bindings.js';
import { OverlayBox } from './overlay-box.js';
import { seg, type Segment } from './segments.js';
import { cell } from './text-cells.js';

/** Props of {@link HelpOverlay}. */
export interface HelpOverlayProps {
  readonly width: number;
  readonly height: number;
}

/** The help overlay. */
export function HelpOverlay({ width, height }: HelpOverlayProps) {
  const lines: Segment[][] = [
    [seg('Keys', { bold: true })],
    ...KEY_BINDINGS.map((b) => [seg(cell(b.keys, 10), { bold: true, color: 'cyan' }), seg(b.action)]),
  ];
  return <OverlayBox lines={lines} width={width} maxHeight={height} borderColor="cyan" />;
}
