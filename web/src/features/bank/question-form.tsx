// The form for writing a custom question or changing one. Saving a change makes a new version; the
// options are renumbered A, B, C… in the order shown.
import {
  Button,
  Card,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Tabs,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type UseFormReturnType, useForm } from '@mantine/form';
import { randomId } from '@mantine/hooks';
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import type { CreateQuestionInput, Difficulty, QuestionKind } from '../../api/bank';
import { ApiError, fieldErrorsOf } from '../../api/client';
import { FormAlert } from '../../components/form-alert';
import { errorMessage } from '../../lib/form-errors';
import { difficultyLabels, kindLabels, useSubtopics } from './bank-labels';
import { optionLabel, QuestionContent, type QuestionContentValue } from './question-content';

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 8;
const OPTION_IDS = 'abcdefgh';
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type OptionValue = { key: string; text: string; correct: boolean };
export type QuestionFormValues = {
  slug: string;
  kind: QuestionKind;
  subtopic: string;
  difficulty: Difficulty;
  seconds: number | string;
  tags: string[];
  stem: string;
  options: OptionValue[];
  explanation: string;
  /** Holds the error about the answer key; not sent. */
  correct: null;
};

const monospaceInput = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

const blankOption = (): OptionValue => ({ key: randomId(), text: '', correct: false });

export function emptyQuestionValues(): QuestionFormValues {
  return {
    slug: '',
    kind: 'single',
    subtopic: '',
    difficulty: 'medium',
    seconds: 60,
    tags: [],
    stem: '',
    options: [blankOption(), blankOption(), blankOption(), blankOption()],
    explanation: '',
    correct: null,
  };
}

export function questionValuesFrom(q: QuestionContentValue): QuestionFormValues {
  const correct = new Set(q.correct);
  return {
    slug: '',
    kind: q.kind,
    subtopic: q.subtopic,
    difficulty: q.difficulty,
    seconds: q.seconds,
    tags: [...q.tags],
    stem: q.stem,
    options: q.options.map((o) => ({ key: randomId(), text: o.text, correct: correct.has(o.id) })),
    explanation: q.explanation,
    correct: null,
  };
}

/** The body the API takes: options get ids a, b, c… in the order shown. */
export function toQuestionBody(
  values: QuestionFormValues,
): Omit<CreateQuestionInput, 'slug' | 'tags'> & { tags: string[] } {
  const options = values.options.map((o, i) => ({ id: OPTION_IDS[i] ?? `o${i}`, text: o.text.trim() }));
  return {
    kind: values.kind,
    subtopic: values.subtopic,
    difficulty: values.difficulty,
    seconds: Number(values.seconds),
    tags: values.tags,
    stem: values.stem.trim(),
    options,
    correct: values.options.flatMap((o, i) => (o.correct ? [options[i]?.id ?? ''] : [])),
    explanation: values.explanation.trim(),
  };
}

function validateKey(values: QuestionFormValues): string | null {
  const n = values.options.filter((o) => o.correct).length;
  if (values.kind === 'single' && n !== 1) return 'Mark exactly one option as correct';
  if (values.kind === 'multiple') {
    if (n < 2) return 'Mark at least two options as correct, or make it a single-answer question';
    if (n === values.options.length) return 'Leave at least one option wrong';
  }
  return null;
}

const sentence = (s: string) => {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

/** Server field errors onto the inputs: "options.2.id" belongs to option 3, "correct.0" to the key. */
function applyQuestionError(form: UseFormReturnType<QuestionFormValues>, err: unknown): string | null {
  if (!(err instanceof ApiError)) return errorMessage(err);
  const onFields: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const [field, message] of Object.entries(fieldErrorsOf(err))) {
    const option = /^options\.(\d+)\./.exec(field);
    const path = field.startsWith('correct')
      ? 'correct'
      : option
        ? `options.${option[1]}.text`
        : field === 'options'
          ? 'correct'
          : field;
    if (path in onFields) continue;
    if ((path.split('.')[0] as string) in form.getValues()) onFields[path] = sentence(message);
    else elsewhere.push(sentence(message));
  }
  form.setErrors(onFields);
  if (elsewhere.length > 0) return [sentence(err.message), ...elsewhere].join(' ');
  return Object.keys(onFields).length > 0 ? null : err.message;
}

/** The form is long: after a failed submit, bring the first problem into view and focus it. */
function revealFirstProblem(form: HTMLFormElement | null) {
  requestAnimationFrame(() => {
    const first = form?.querySelector<HTMLElement>('[data-problem], [aria-invalid="true"]');
    first?.scrollIntoView({ block: 'center' });
    if (first?.matches('[aria-invalid="true"]')) first.focus({ preventScroll: true });
  });
}

export function QuestionForm({
  initialValues,
  withSlug,
  submitLabel,
  cancelTo,
  pending,
  onSubmit,
}: {
  initialValues: QuestionFormValues;
  /** New questions may choose their content id; it never changes afterwards. */
  withSlug: boolean;
  submitLabel: string;
  cancelTo: string;
  pending: boolean;
  onSubmit: (values: QuestionFormValues, handlers: { onError: (err: unknown) => void }) => void;
}) {
  const subtopics = useSubtopics();
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>('write');
  const formRef = useRef<HTMLFormElement>(null);
  const form = useForm<QuestionFormValues>({
    initialValues,
    validate: {
      slug: (v) =>
        !withSlug || !v.trim() || (SLUG.test(v.trim()) && v.trim().length <= 100)
          ? null
          : 'Use lowercase letters, digits and single hyphens, like orders-idempotency-keys',
      subtopic: (v) => (v ? null : 'Choose a subtopic'),
      seconds: (v) => {
        const n = Number(v);
        return Number.isInteger(n) && n >= 10 && n <= 600
          ? null
          : 'Enter a whole number of seconds from 10 to 600';
      },
      tags: (v) =>
        v.length > 12
          ? 'Use at most 12 tags'
          : v.some((t) => !SLUG.test(t) || t.length > 40)
            ? 'Tags are short lowercase words joined by hyphens, like read-committed'
            : null,
      stem: (v) => (v.trim() ? null : 'Write the question'),
      options: {
        text: (v, values) => {
          if (!v.trim()) return 'Write this option, or remove it';
          const same = values.options.filter((o) => o.text.trim().toLowerCase() === v.trim().toLowerCase());
          return same.length > 1 ? 'Two options have the same text' : null;
        },
      },
      correct: (_v, values) => validateKey(values),
      explanation: (v) => (v.trim() ? null : 'Explain why the key is right and the other options are wrong'),
    },
  });

  const values = form.getValues();
  const toggleCorrect = (index: number, checked: boolean) => {
    // A single-answer question has one key: ticking an option unticks the others.
    form.setFieldValue(
      'options',
      values.options.map((o, i) =>
        i === index
          ? { ...o, correct: checked }
          : values.kind === 'single' && checked
            ? { ...o, correct: false }
            : o,
      ),
    );
    form.clearFieldError('correct');
  };

  const submit = form.onSubmit(
    (v) => {
      setError(null);
      onSubmit(v, {
        onError: (err) => {
          setError(applyQuestionError(form, err));
          revealFirstProblem(formRef.current);
        },
      });
    },
    () => {
      setTab('write');
      revealFirstProblem(formRef.current);
    },
  );

  const preview = toQuestionBody(values);

  return (
    <form onSubmit={submit} noValidate ref={formRef}>
      <Stack gap="md">
        <div data-problem={error ? '' : undefined}>
          <FormAlert message={error} title="Couldn’t save the question" />
        </div>
        <Tabs value={tab} onChange={setTab}>
          <Tabs.List>
            <Tabs.Tab value="write">Write</Tabs.Tab>
            <Tabs.Tab value="preview">Preview</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="write" pt="md">
            <Stack gap="md">
              <Card withBorder padding="lg">
                <Stack gap="md">
                  <Title order={2} size="h4">
                    Details
                  </Title>
                  {withSlug && (
                    <TextInput
                      label="Content id"
                      description="Optional. A stable id such as orders-idempotency-keys; leave it empty and we’ll make one."
                      maxLength={100}
                      {...form.getInputProps('slug')}
                    />
                  )}
                  <Group grow align="flex-start">
                    <NativeSelect
                      label="Kind"
                      data={(['single', 'multiple'] as const).map((k) => ({
                        value: k,
                        label: kindLabels[k],
                      }))}
                      {...form.getInputProps('kind')}
                    />
                    <NativeSelect
                      label="Subtopic"
                      required
                      data={[{ value: '', label: 'Choose a subtopic' }, ...subtopics.options]}
                      {...form.getInputProps('subtopic')}
                    />
                  </Group>
                  <Group grow align="flex-start">
                    <NativeSelect
                      label="Difficulty"
                      data={(['easy', 'medium', 'hard'] as const).map((d) => ({
                        value: d,
                        label: difficultyLabels[d],
                      }))}
                      {...form.getInputProps('difficulty')}
                    />
                    <NumberInput
                      label="Time to answer (seconds)"
                      description="What a prepared candidate needs, 10–600"
                      min={10}
                      max={600}
                      step={5}
                      allowDecimal={false}
                      required
                      {...form.getInputProps('seconds')}
                    />
                  </Group>
                  <TagsInput
                    label="Tags"
                    description="Optional. Short lowercase words for search, such as transactions or postgresql. Press Enter after each."
                    maxTags={12}
                    splitChars={[',', ' ']}
                    {...form.getInputProps('tags')}
                  />
                </Stack>
              </Card>

              <Card withBorder padding="lg">
                <Stack gap="md">
                  <Textarea
                    label="Question"
                    description="Markdown: paragraphs, lists, `inline code`, fenced ``` code blocks, **bold**, *italics* and links."
                    required
                    autosize
                    minRows={4}
                    maxRows={20}
                    styles={monospaceInput}
                    {...form.getInputProps('stem')}
                  />
                </Stack>
              </Card>

              <Card withBorder padding="lg">
                <Stack gap="md">
                  <div>
                    <Title order={2} size="h4" id="options-heading">
                      Options
                    </Title>
                    <Text size="sm" c="dimmed" mt={4}>
                      {values.kind === 'single'
                        ? 'Tick the one correct option.'
                        : 'Tick every correct option: at least two, and leave at least one wrong.'}
                    </Text>
                  </div>
                  <Stack gap="sm" role="group" aria-labelledby="options-heading">
                    {values.options.map((option, i) => {
                      const label = `Option ${optionLabel(OPTION_IDS[i] ?? String(i + 1))}`;
                      return (
                        <Group key={option.key} align="flex-start" wrap="nowrap" gap="sm">
                          <Textarea
                            label={label}
                            autosize
                            minRows={1}
                            maxRows={8}
                            required
                            style={{ flex: 1 }}
                            {...form.getInputProps(`options.${i}.text`)}
                          />
                          <Checkbox
                            label="Correct"
                            aria-label={`${label} is correct`}
                            mt={32}
                            checked={option.correct}
                            onChange={(e) => toggleCorrect(i, e.currentTarget.checked)}
                          />
                          <Button
                            variant="subtle"
                            color="red"
                            size="xs"
                            mt={28}
                            aria-label={`Remove ${label.toLowerCase()}`}
                            disabled={values.options.length <= MIN_OPTIONS}
                            onClick={() => {
                              form.removeListItem('options', i);
                              form.clearFieldError('correct');
                            }}
                          >
                            Remove
                          </Button>
                        </Group>
                      );
                    })}
                  </Stack>
                  <div aria-live="polite">
                    {form.errors.correct && (
                      <Text size="sm" c="var(--mantine-color-error)" data-problem="">
                        {form.errors.correct}
                      </Text>
                    )}
                  </div>
                  <Group>
                    <Button
                      variant="default"
                      size="sm"
                      disabled={values.options.length >= MAX_OPTIONS}
                      onClick={() => form.insertListItem('options', blankOption())}
                    >
                      Add option
                    </Button>
                    <Text size="sm" c="dimmed">
                      {MIN_OPTIONS}–{MAX_OPTIONS} options.
                    </Text>
                  </Group>
                </Stack>
              </Card>

              <Card withBorder padding="lg">
                <Stack gap="md">
                  <Textarea
                    label="Explanation"
                    description="Markdown. Why the key is right and the other options are wrong. Staff see it; candidates never do."
                    required
                    autosize
                    minRows={3}
                    maxRows={16}
                    styles={monospaceInput}
                    {...form.getInputProps('explanation')}
                  />
                </Stack>
              </Card>
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="preview" pt="md">
            <Card withBorder padding="lg">
              {preview.stem ? (
                <QuestionContent
                  question={preview}
                  subtopicName={preview.subtopic ? subtopics.nameOf(preview.subtopic) : 'No subtopic yet'}
                />
              ) : (
                <Text c="dimmed" size="sm">
                  Write the question to see how it looks.
                </Text>
              )}
            </Card>
          </Tabs.Panel>
        </Tabs>
        <Group justify="flex-end">
          <Button component={Link} to={cancelTo} variant="default">
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
