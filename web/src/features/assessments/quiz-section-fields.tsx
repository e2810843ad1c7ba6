import {
  Checkbox,
  Fieldset,
  Group,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import type { QuizSection } from '../../api/assessments';
import { difficultyLabels, useSubtopics } from '../bank/bank-labels';
import { PinnedQuestionsInput } from './pinned-questions-input';
import { difficulties, subtopicIds, sumOf } from './section-model';

/** A number input's value as a number; an empty box is NaN, which validation reports. */
export const toNumber = (v: number | string) =>
  typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v);
export const shown = (v: number | null) => (v === null || Number.isNaN(v) ? '' : v);

/** "Total 95 of 100", red until it is exactly 100. Announced politely as it changes. */
export function RunningTotal({ total, id }: { total: number; id: string }) {
  const ok = total === 100;
  return (
    <Text id={id} size="sm" fw={600} c={ok ? 'assay.8' : 'red.8'} aria-live="polite">
      Total {total} of 100
      {ok ? '' : ` (${total < 100 ? `${100 - total} to add` : `${total - 100} too many`})`}
    </Text>
  );
}

export function QuizSectionFields({
  section,
  errors,
  onChange,
}: {
  section: QuizSection;
  errors: Record<string, string>;
  onChange: (next: QuizSection) => void;
}) {
  const subtopics = useSubtopics();
  const set = <K extends keyof QuizSection>(field: K, value: QuizSection[K]) =>
    onChange({ ...section, [field]: value });
  const weightsTotal = sumOf(section.subtopicWeights);
  const mixTotal = sumOf(section.difficulty);
  const weightsTotalId = `${section.key}-weights-total`;
  const mixTotalId = `${section.key}-mix-total`;

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
        <TextInput
          label="Title"
          required
          maxLength={200}
          value={section.title}
          onChange={(e) => set('title', e.currentTarget.value)}
          error={errors.title}
        />
        <NumberInput
          label="Time limit (minutes)"
          required
          min={1}
          max={480}
          allowDecimal={false}
          value={shown(section.minutes)}
          onChange={(v) => set('minutes', toNumber(v))}
          error={errors.minutes}
        />
        <NumberInput
          label="Questions"
          description="Drawn for each candidate"
          required
          min={1}
          max={200}
          allowDecimal={false}
          value={shown(section.questionCount)}
          onChange={(v) => set('questionCount', toNumber(v))}
          error={errors.questionCount}
        />
        <NumberInput
          label="Section weight (%)"
          description="Empty: weighed by time"
          min={0}
          max={100}
          value={shown(section.weight)}
          onChange={(v) => set('weight', v === '' ? null : toNumber(v))}
          error={errors.weight}
        />
      </SimpleGrid>

      <Fieldset legend="Subtopic weights (%)" variant="filled" aria-describedby={weightsTotalId}>
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
            {subtopicIds.map((id) => (
              <NumberInput
                key={id}
                label={subtopics.nameOf(id)}
                min={0}
                max={100}
                allowDecimal={false}
                allowNegative={false}
                clampBehavior="strict"
                value={shown(section.subtopicWeights[id] ?? 0)}
                onChange={(v) => set('subtopicWeights', { ...section.subtopicWeights, [id]: toNumber(v) })}
                error={errors[`subtopicWeights.${id}`]}
              />
            ))}
          </SimpleGrid>
          <RunningTotal total={weightsTotal} id={weightsTotalId} />
          {errors.subtopicWeights && weightsTotal === 100 && (
            <Text size="sm" c="red.8">
              {errors.subtopicWeights}
            </Text>
          )}
        </Stack>
      </Fieldset>

      <Fieldset legend="Difficulty mix (%)" variant="filled" aria-describedby={mixTotalId}>
        <Stack gap="xs">
          <SimpleGrid cols={3} spacing="sm">
            {difficulties.map((d) => (
              <NumberInput
                key={d}
                label={difficultyLabels[d]}
                min={0}
                max={100}
                allowDecimal={false}
                allowNegative={false}
                clampBehavior="strict"
                value={shown(section.difficulty[d])}
                onChange={(v) => set('difficulty', { ...section.difficulty, [d]: toNumber(v) })}
                error={errors[`difficulty.${d}`]}
              />
            ))}
          </SimpleGrid>
          <RunningTotal total={mixTotal} id={mixTotalId} />
          {errors.difficulty && mixTotal === 100 && (
            <Text size="sm" c="red.8">
              {errors.difficulty}
            </Text>
          )}
        </Stack>
      </Fieldset>

      <Group align="flex-start" gap="xl" wrap="wrap">
        <div>
          <Text size="sm" fw={500} id={`${section.key}-draw-label`} mb={4}>
            Draw
          </Text>
          <SegmentedControl
            aria-labelledby={`${section.key}-draw-label`}
            value={section.draw}
            onChange={(v) => set('draw', v as QuizSection['draw'])}
            data={[
              { value: 'random', label: 'Random per candidate' },
              { value: 'fixed', label: 'Same for everyone' },
            ]}
          />
        </div>
        <Stack gap={8} mt={4}>
          <Checkbox
            label="Shuffle question order"
            checked={section.shuffleQuestions}
            onChange={(e) => set('shuffleQuestions', e.currentTarget.checked)}
          />
          <Checkbox
            label="Shuffle answer options"
            checked={section.shuffleOptions}
            onChange={(e) => set('shuffleOptions', e.currentTarget.checked)}
          />
        </Stack>
        <Stack gap={8} mt={4}>
          <Checkbox
            label="Allow going back to earlier questions"
            checked={section.allowBack}
            onChange={(e) => set('allowBack', e.currentTarget.checked)}
          />
          <Checkbox
            label="Only your organization’s own questions"
            checked={section.ownQuestionsOnly}
            onChange={(e) => set('ownQuestionsOnly', e.currentTarget.checked)}
          />
        </Stack>
      </Group>

      <PinnedQuestionsInput
        sectionKey={section.key}
        value={section.pinnedQuestionIds}
        onChange={(ids) => set('pinnedQuestionIds', ids)}
        error={errors.pinnedQuestionIds}
      />
    </Stack>
  );
}
