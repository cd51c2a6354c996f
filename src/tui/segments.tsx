/**
 * @module
 * One line of the console: styled pieces of text in a single `Text` that ink truncates to the line's width, so
 * no line can ever wrap into a second one and push the frame past the terminal's height.
 */
import { Box, Text } from 'ink';

/** A piece of a line with its style. Colours are ink's (chalk's) names. */
export interface Segment {
  readonly text: string;
  readonly color?: string;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

/** Shorthand for a {@link Segment}. */
export function seg(text: string, style: Omit<Segment, 'text'> = {}): Segment {
  return { text, ...style };
}

/** Props of {@link Line}. */
export interface LineProps {
  readonly segments: readonly Segment[];
  readonly width: number;
}

/** Exactly one terminal line, `width` columns at most, even when `segments` are empty. */
export function Line({ segments, width }: LineProps) {
  return (
    <Box width={width} height={1} flexShrink={0} overflow="hidden">
      <Text wrap="truncate">
        {segments.map((s, i) => (
          <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
            {s.text}
          </Text>
        ))}
      </Text>
    </Box>
  );
}

/** Props of {@link Lines}. */
export interface LinesProps {
  readonly lines: readonly (readonly Segment[])[];
  readonly width: number;
  /** The box's height: lines past it are not drawn, missing ones are blank. */
  readonly height: number;
}

/** A block of exactly `height` lines. */
export function Lines({ lines, width, height }: LinesProps) {
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
      {lines.slice(0, Math.max(0, height)).map((segments, i) => (
        <Line key={i} segments={segments} width={width} />
      ))}
    </Box>
  );
}
