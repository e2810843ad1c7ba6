// A Concepts & Knowledge section: one question at a time, every change saved as it happens, with a
// question map to move around (when the section allows going back).
import {
  Button,
  Card,
  Checkbox,
  Group,
  Progress,
  Radio,
  Stack,
  Text,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CurrentQuiz, QuizItem } from '../api/take';
import { Markdown } from '../components/markdown';
import type { AnswerQueue } from './autosave';

const positionKey = (scope: string) => `assay.take.position.${scope}`;

function readPosition(key: string, count: number): number {
  try {
    const n = Number(localStorage.getItem(key));
    return Number.isInteger(n) && n >= 0 && n < count ? n : 0;
  } catch {
    return 0;
  }
}

function Options({
  item,
  choice,
  onChange,
  disabled,
}: {
  item: QuizItem;
  choice: string[];
  onChange: (choice: string[]) => void;
  disabled: boolean;
}) {
  if (item.kind === 'multiple') {
    return (
      <Checkbox.Group
        label="Your answer"
        description="Choose all that apply."
        value={choice}
        onChange={onChange}
        readOnly={disabled}
      >
        <Stack gap="xs" mt="xs">
          {item.options.map((option) => (
            <Checkbox
              key={option.id}
              value={option.id}
              className="take-option"
              label={<Markdown className="take-option-text take-markdown">{option.text}</Markdown>}
            />
          ))}
        </Stack>
      </Checkbox.Group>
    );
  }
  return (
    <Radio.Group
      label="Your answer"
      description="Choose one answer."
      value={choice[0] ?? null}
      onChange={(value) => onChange(value ? [value] : [])}
      readOnly={disabled}
    >
      <Stack gap="xs" mt="xs">
        {item.options.map((option) => (
          <Radio
            key={option.id}
            value={option.id}
            className="take-option"
            label={<Markdown className="take-option-text take-markdown">{option.text}</Markdown>}
          />
        ))}
      </Stack>
    </Radio.Group>
  );
}

function QuestionMap({
  items,
  answers,
  index,
  onGo,
}: {
  items: QuizItem[];
  answers: Record<string, string[]>;
  index: number;
  onGo: (index: number) => void;
}) {
  return (
    <nav aria-label="Questions">
      <Group gap={6}>
        {items.map((item, i) => {
          const answered = (answers[item.key]?.length ?? 0) > 0;
          const current = i === index;
          return (
            <UnstyledButton
              key={item.key}
              className="take-nav-button"
              aria-current={current ? 'step' : undefined}
              aria-label={`Question ${i + 1}${answered ? ', answered' : ', not answered'}`}
              onClick={() => onGo(i)}
              w={40}
              h={40}
              ta="center"
              fw={600}
              fz="sm"
              style={{
                borderRadius: 'var(--mantine-radius-sm)',
                border: `1px solid ${answered ? 'var(--mantine-color-assay-7)' : 'var(--mantine-color-gray-5)'}`,
                background: answered ? 'var(--mantine-color-assay-7)' : 'var(--mantine-color-body)',
                color: answered ? 'white' : 'var(--mantine-color-dark-7)',
              }}
            >
              {i + 1}
            </UnstyledButton>
          );
        })}
      </Group>
    </nav>
  );
}

export function QuizSection({
  scope,
  section,
  queue,
  isLast,
  locked,
  onSubmit,
}: {
  /** Names this section of this attempt, for remembering the question the candidate was on. */
  scope: string;
  section: CurrentQuiz;
  queue: AnswerQueue;
  isLast: boolean;
  /** Time is up or a submit is on its way: answers can no longer change. */
  locked: boolean;
  onSubmit: (unanswered: number) => void;
}) {
  const items = section.items;
  const posKey = positionKey(scope);
  // Where the candidate was, never before the point a no-going-back section has moved past.
  const [index, setIndex] = useState(() =>
    Math.min(
      items.length - 1,
      Math.max(readPosition(posKey, items.length), section.allowBack ? 0 : section.furthestItem),
    ),
  );
  // The server's saved answers, overlaid with changes this device hasn't had acknowledged yet.
  const [answers, setAnswers] = useState<Record<string, string[]>>(() => {
    const initial: Record<string, string[]> = {};
    for (const item of items) initial[item.key] = item.answer;
    return { ...initial, ...queue.pendingChoices() };
  });
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    try {
      localStorage.setItem(posKey, String(index));
    } catch {
      // ignore
    }
    // Moving between questions puts focus on the new question, so a screen reader starts there.
    if (moved.current) heading.current?.focus();
  }, [index, posKey]);

  const answered = useMemo(
    () => items.filter((item) => (answers[item.key]?.length ?? 0) > 0).length,
    [items, answers],
  );
  const item = items[index];
  if (!item) return null;

  const go = (next: number) => {
    moved.current = true;
    setIndex(Math.max(0, Math.min(items.length - 1, next)));
  };
  const change = (choice: string[]) => {
    if (locked) return;
    setAnswers((prev) => ({ ...prev, [item.key]: choice }));
    queue.set(item.key, choice);
  };
  const atEnd = index === items.length - 1;

  return (
    <Stack gap="md">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={500}>
            Question {index + 1} of {items.length}
          </Text>
          <Text size="sm" c="dimmed">
            {answered} of {items.length} answered
          </Text>
        </Group>
        <Progress
          value={(answered / items.length) * 100}
          size="sm"
          aria-label={`${answered} of ${items.length} questions answered`}
        />
      </Stack>

      <Card withBorder padding="lg" component="section" aria-labelledby={`q-${item.key}`}>
        <Stack gap="md">
          <Title
            order={2}
            size="h4"
            id={`q-${item.key}`}
            ref={heading}
            tabIndex={-1}
            style={{ outline: 'none' }}
          >
            Question {index + 1}
            <VisuallyHidden> of {items.length}</VisuallyHidden>
          </Title>
          <Markdown className="take-markdown">{item.stem}</Markdown>
          <Options
            key={item.key}
            item={item}
            choice={answers[item.key] ?? []}
            onChange={change}
            disabled={locked}
          />
        </Stack>
      </Card>

      <Group justify="space-between" gap="sm">
        {section.allowBack && index > 0 ? (
          <Button variant="default" onClick={() => go(index - 1)}>
            Previous
          </Button>
        ) : (
          <span />
        )}
        {atEnd ? (
          <Button onClick={() => onSubmit(items.length - answered)} disabled={locked}>
            {isLast ? 'Submit test' : 'Submit section'}
          </Button>
        ) : (
          <Button onClick={() => go(index + 1)}>Next</Button>
        )}
      </Group>

      {section.allowBack ? (
        <Card withBorder padding="md">
          <Stack gap="sm">
            <Text size="sm" fw={600} id="question-map-heading">
              All questions
            </Text>
            <QuestionMap items={items} answers={answers} index={index} onGo={go} />
            <Group justify="space-between" gap="sm">
              <Text size="xs" c="dimmed">
                Filled squares are answered.
              </Text>
              {!atEnd && (
                <Button
                  variant="light"
                  size="xs"
                  onClick={() => onSubmit(items.length - answered)}
                  disabled={locked}
                >
                  {isLast ? 'Submit test' : 'Submit section'}
                </Button>
              )}
            </Group>
          </Stack>
        </Card>
      ) : (
        <Text size="sm" c="dimmed">
          In this section you can’t go back to a question once you move on.
        </Text>
      )}
    </Stack>
  );
}
