import { Anchor, Badge, Box, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { ItemFlag, ItemStat } from '../../api/results';
import { stemPreview, useSubtopics } from '../bank/bank-labels';
import { percent } from './result-labels';

export const flagLabels: Record<ItemFlag, { label: string; description: string }> = {
  'negative-discrimination': {
    label: 'Negative discrimination',
    description:
      'Stronger candidates get it wrong more often than weaker ones: check the key and the wording.',
  },
  'too-easy': {
    label: 'Too easy',
    description: 'Almost everyone gets it right, so it tells candidates apart little.',
  },
  'too-hard': {
    label: 'Too hard',
    description: 'Almost nobody gets it right: check the key, or move it to hard.',
  },
  'unused-distractor': {
    label: 'Unused option',
    description: 'A wrong option that nobody chooses: make it more plausible or replace it.',
  },
};

/** Discrimination as a signed two-decimal number; "—" when there's too little data. */
const signed = (d: number | null) => (d === null ? '—' : `${d >= 0 ? '' : '−'}${Math.abs(d).toFixed(2)}`);

const LETTERS = 'ABCDEFGHIJKLMNOP';

function Options({ stat }: { stat: ItemStat }) {
  return (
    <Stack
      component="ul"
      gap={2}
      p={0}
      m={0}
      style={{ listStyle: 'none' }}
      aria-label="How often each option was chosen"
    >
      {stat.options.map((o, i) => (
        <li key={o.id}>
          <Group gap={6} wrap="nowrap">
            <Text span size="xs" fw={700} w={14}>
              {LETTERS[i] ?? i + 1}
            </Text>
            <Box aria-hidden w={48} h={6} bg="gray.2" style={{ borderRadius: 3, flexShrink: 0 }}>
              <Box
                h="100%"
                bg={o.correct ? 'assay.6' : 'gray.5'}
                style={{ borderRadius: 3, width: `${Math.round(o.share * 100)}%` }}
              />
            </Box>
            <Text span size="xs" w={34} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
              {percent(o.share)}
            </Text>
            <Text
              span
              size="xs"
              truncate
              maw={180}
              c={o.correct ? undefined : 'dimmed'}
              fw={o.correct ? 600 : 400}
            >
              {o.correct && 'Key: '}
              {stemPreview(o.text, 60)}
            </Text>
          </Group>
        </li>
      ))}
      {stat.unanswered > 0 && (
        <li>
          <Text size="xs" c="dimmed">
            Not answered: {stat.unanswered.toLocaleString()}
          </Text>
        </li>
      )}
    </Stack>
  );
}

/** Item statistics: one row per question version, linked to its page in the bank (edit or retire there). */
export function ItemStatsTable({ items, label }: { items: ItemStat[]; label: string }) {
  const { nameOf } = useSubtopics();
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table verticalSpacing="sm" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Question</Table.Th>
            <Table.Th scope="col" ta="right">
              Attempts
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Facility
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Discrimination
            </Table.Th>
            <Table.Th scope="col">Options chosen</Table.Th>
            <Table.Th scope="col">Flags</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((s) => (
            <Table.Tr key={s.questionVersionId} style={{ verticalAlign: 'top' }}>
              <Table.Td maw={300}>
                <Anchor component={Link} to={`/bank/questions/${s.questionId}`} size="sm" fw={500}>
                  {stemPreview(s.stem, 120) || 'Untitled question'}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {[
                    s.subtopic ? nameOf(s.subtopic) : null,
                    s.difficulty,
                    s.version !== null ? `version ${s.version}` : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{s.n.toLocaleString()}</Table.Td>
              <Table.Td ta="right">{percent(s.facility)}</Table.Td>
              <Table.Td
                ta="right"
                c={s.discrimination !== null && s.discrimination < 0 ? 'red.8' : undefined}
              >
                {signed(s.discrimination)}
              </Table.Td>
              <Table.Td>
                <Options stat={s} />
              </Table.Td>
              <Table.Td>
                {s.flags.length === 0 ? (
                  <Text size="xs" c="dimmed">
                    None
                  </Text>
                ) : (
                  <Stack gap={4} align="flex-start">
                    {s.flags.map((f) => (
                      <Badge
                        key={f}
                        variant="light"
                        color="grape"
                        title={flagLabels[f].description}
                        style={{ whiteSpace: 'nowrap', minWidth: 'max-content' }}
                      >
                        {flagLabels[f].label}
                      </Badge>
                    ))}
                  </Stack>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** What the columns mean, for recruiters who haven't met item analysis before. */
export function ItemStatsLegend() {
  return (
    <Text size="xs" c="dimmed">
      <strong>Facility</strong> is the share of candidates who got the question right.{' '}
      <strong>Discrimination</strong> (−1 to 1) says whether candidates who do well overall also get this one
      right; below 0.2 it separates them little, below 0 something is likely wrong. Statistics update a few
      minutes after grading and leave out demo and preview attempts.
    </Text>
  );
}
