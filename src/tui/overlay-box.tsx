/**
 * @module
 * The frame every overlay is drawn in: a rounded border around lines, never taller or wider than it is given.
 */
import { Box } from 'ink';
import { Lines, type Segment } from './segments.js';

/** Props of {@link OverlayBox}. */
export interface OverlayBoxProps {
  readonly lines: readonly (readonly Segment[])[];
  /** At most this wide and tall, border included; as tall as the lines need within that. */
  readonly width: number;
  readonly maxHeight: number;
  readonly borderColor?: string;
}

/** Lines in a bordered box. */
export function OverlayBox({ lines, width, maxHeight, borderColor }: OverlayBoxProps) {
  const height = Math.max(2, Math.min(maxHeight, lines.length + 2));
  return (
    <Box borderStyle="round" borderColor={borderColor} width={width} height={height} paddingX={1} flexShrink={0} overflow="hidden">
      <Lines lines={lines} width={Math.max(0, width - 4)} height={height - 2} />
    </Box>
  );
}
