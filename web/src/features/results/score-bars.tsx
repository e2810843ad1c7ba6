import { Box, Group, Stack, Text, VisuallyHidden } from '@mantine/core';
import { percent } from './result-labels';

export type ScoreBar = {
  key: string;
  label: string;
  score: number | null;
  /** The role benchmark (the cohort's median), drawn as a line across the bar. */
  benchmark?: number | null;
};

/**
 * Scores as horizontal bars: a list that reads well to a screen reader (label, score, benchmark in
 * words) with the bars themselves hidden from it. Prints as it shows.
 */
export function ScoreBars({ bars, labelledBy }: { bars: ScoreBar[]; labelledBy?: string }) {
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-labelledby={labelledBy}>
      {bars.map((bar) => (
        <li key={bar.key}>
          <Group justify="space-between" gap="xs" mb={4} wrap="nowrap">
            <Text size="sm">{bar.label}</Text>
            <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
              {percent(bar.score)}
              {bar.benchmark !== null && bar.benchmark !== undefined && (
                <Text span size="xs" c="dimmed" fw={400} ml={6}>
                  benchmark {percent(bar.benchmark)}
                </Text>
              )}
            </Text>
          </Group>
          <Box
            aria-hidden
            pos="relative"
            h={10}
            bg="gray.2"
            style={{ borderRadius: 5, overflow: 'visible' }}
            className="score-bar"
          >
            <Box
              h="100%"
              bg={bar.score === null ? 'gray.3' : 'assay.6'}
              style={{ borderRadius: 5, width: `${Math.round((bar.score ?? 0) * 100)}%` }}
              className="score-bar-fill"
            />
            {bar.benchmark !== null && bar.benchmark !== undefined && (
              <Box
                pos="absolute"
                top={-3}
                bottom={-3}
                w={2}
                bg="dark.6"
                style={{ left: `calc(${Math.round(bar.benchmark * 100)}% - 1px)` }}
              />
            )}
          </Box>
        </li>
      ))}
    </Stack>
  );
}

/**
 * A tiny bar for a table cell: the number is the content, the bar a visual aid. `stacked` puts the
 * bar under a bare number, for narrow columns whose heading says what they hold.
 */
export function MiniScore({
  score,
  label,
  stacked = false,
  size = 'xs',
}: {
  score: number | null | undefined;
  label?: string;
  stacked?: boolean;
  size?: 'xs' | 'sm';
}) {
  const value = score ?? null;
  const bar = (
    <Box
      aria-hidden
      w={stacked ? 28 : 40}
      h={stacked ? 4 : 6}
      bg="gray.2"
      style={{ borderRadius: 3, flexShrink: 0 }}
    >
      <Box
        h="100%"
        bg={value === null ? 'gray.3' : 'assay.6'}
        style={{ borderRadius: 3, width: `${Math.round((value ?? 0) * 100)}%` }}
      />
    </Box>
  );
  const number = (
    <Text
      span
      size={size}
      fw={size === 'sm' ? 600 : undefined}
      style={{ fontVariantNumeric: 'tabular-nums' }}
    >
      {stacked && value !== null ? (
        <>
          {Math.round(value * 100)}
          <VisuallyHidden>%</VisuallyHidden>
        </>
      ) : (
        percent(value)
      )}
    </Text>
  );
  const title = label ? `${label}: ${percent(value)}` : undefined;
  if (stacked) {
    return (
      <Stack gap={2} align="flex-start" title={title}>
        {number}
        {bar}
      </Stack>
    );
  }
  return (
    <Group gap={6} wrap="nowrap" title={title}>
      {bar}
      {number}
    </Group>
  );
}
