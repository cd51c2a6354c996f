/**
 * @module
 * A picker: a title, then the part of the list around the selected entry that fits.
 */
import type { PickerStep } from './console-mode.js';
import { OverlayBox } from './overlay-box.js';
import { seg, type Segment } from './segments.js';

/** Props of {@link PickerOverlay}. */
export interface PickerOverlayProps {
  readonly step: PickerStep;
  readonly width: number;
  readonly height: number;
}

/** The picker overlay; the selected entry is marked with `›` and drawn inverse. */
export function PickerOverlay({ step, width, height }: PickerOverlayProps) {
  const { picker, index } = step;
  const room = Math.max(1, height - 2 - 1);
  const first = Math.min(Math.max(0, index - Math.floor(room / 2)), Math.max(0, picker.options.length - room));
  const lines: Segment[][] = [
    [seg(picker.title, { bold: true }), seg(`  ${index + 1}/${picker.options.length}`, { dim: true })],
    ...picker.options.slice(first, first + room).map((option, i) =>
      first + i === index ? [seg('› ', { color: 'cyan', bold: true }), seg(option.label, { inverse: true, bold: true })] : [seg(`  ${option.label}`)],
    ),
  ];
  return <OverlayBox lines={lines} width={width} maxHeight={height} borderColor="cyan" />;
}
