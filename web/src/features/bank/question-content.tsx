import { Badge, Box, Group, List, Stack, Text, ThemeIcon, Title, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import type { QuestionVersion } from '../../api/bank';
import { Markdown } from '../../components/markdown';
import { difficultyColors, difficultyLabels, kindLabels } from './bank-labels';

/** Option ids are letters in the library ("a"…"h"): show them as the capitals candidates see. */
export const optionLabel = (id: string) => id.toUpperCase();

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

export type QuestionContentValue = Pick<
  QuestionVersion,
  'kind' | 'subtopic' | 'difficulty' | 'seconds' | 'tags' | 'stem' | 'options' | 'correct' | 'explanation'
>;

/** One version of a question as staff see it: the stem, the options with the key marked, and why. */
export function QuestionContent({
  question,
  subtopicName,
}: {
  question: QuestionContentValue;
  subtopicName: string;
}) {
  const correct = new Set(question.correct);
  return (
    <Stack gap="lg">
      <Group gap="xl" align="flex-start">
        <Fact label="Subtopic">{subtopicName}</Fact>
        <Fact label="Difficulty">
          <Badge variant="light" color={difficultyColors[question.difficulty]}>
            {difficultyLabels[question.difficulty]}
          </Badge>
        </Fact>
        <Fact label="Kind">{kindLabels[question.kind]}</Fact>
        <Fact label="Time to answer">{question.seconds} seconds</Fact>
        <Fact label="Tags">
          {question.tags.length === 0 ? (
            <Text span size="sm" c="dimmed">
              None
            </Text>
          ) : (
            <Group gap={4}>
              {question.tags.map((tag) => (
                <Badge key={tag} variant="outline" color="gray" tt="none">
                  {tag}
                </Badge>
              ))}
            </Group>
          )}
        </Fact>
      </Group>

      <section aria-labelledby="question-stem-heading">
        <Title order={3} size="h5" id="question-stem-heading" mb="xs">
          Question
        </Title>
        <Markdown>{question.stem}</Markdown>
      </section>

      <section aria-labelledby="question-options-heading">
        <Title order={3} size="h5" id="question-options-heading" mb="xs">
          Options
        </Title>
        <List
          listStyleType="none"
          spacing="xs"
          styles={{ itemWrapper: { width: '100%' }, itemLabel: { width: '100%' } }}
        >
          {question.options.map((option) => {
            const isCorrect = correct.has(option.id);
            return (
              <List.Item key={option.id}>
                <Box
                  p="sm"
                  bd={`1px solid ${isCorrect ? 'var(--mantine-color-teal-6)' : 'var(--mantine-color-gray-3)'}`}
                  bg={isCorrect ? 'teal.0' : undefined}
                  style={{ borderRadius: 'var(--mantine-radius-md)' }}
                >
                  <Group gap="sm" wrap="nowrap" align="flex-start">
                    <ThemeIcon
                      variant={isCorrect ? 'filled' : 'light'}
                      color={isCorrect ? 'teal.9' : 'gray'}
                      radius="xl"
                      size="md"
                      aria-hidden
                    >
                      <Text span size="xs" fw={700}>
                        {optionLabel(option.id)}
                      </Text>
                    </ThemeIcon>
                    <Box style={{ flex: 1, minWidth: 0 }}>
                      <VisuallyHidden>Option {optionLabel(option.id)}:</VisuallyHidden>
                      <Markdown>{option.text}</Markdown>
                    </Box>
                    {isCorrect ? (
                      <Badge color="teal.9" variant="filled" style={{ flexShrink: 0 }}>
                        Correct
                      </Badge>
                    ) : null}
                  </Group>
                </Box>
              </List.Item>
            );
          })}
        </List>
        <Text size="sm" c="dimmed" mt="xs">
          Key: {question.correct.map(optionLabel).join(', ')}
        </Text>
      </section>

      <section aria-labelledby="question-explanation-heading">
        <Title order={3} size="h5" id="question-explanation-heading" mb="xs">
          Explanation
        </Title>
        <Markdown>{question.explanation}</Markdown>
      </section>
    </Stack>
  );
}
