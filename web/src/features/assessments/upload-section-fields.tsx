import {
  Checkbox,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import type { UploadSection } from '../../api/assessments';
import { useUploadTaskChoices } from '../../api/assessments';
import { shown, toNumber } from './quiz-section-fields';
import { normaliseExtension } from './section-model';

export function UploadSectionFields({
  section,
  errors,
  onChange,
}: {
  section: UploadSection;
  errors: Record<string, string>;
  onChange: (next: UploadSection) => void;
}) {
  const tasks = useUploadTaskChoices();
  const set = <K extends keyof UploadSection>(field: K, value: UploadSection[K]) =>
    onChange({ ...section, [field]: value });
  const items = tasks.data?.items ?? [];
  const options = items
    .filter((t) => !t.retired || t.id === section.taskId)
    .map((t) => ({ value: t.id, label: t.title }));
  if (section.taskId && !options.some((o) => o.value === section.taskId)) {
    options.unshift({
      value: section.taskId,
      label: tasks.isPending ? 'Loading…' : 'A task that is no longer available',
    });
  }
  const reviewersLabelId = `${section.key}-reviewers-label`;

  return (
    <Stack gap="md">
      <Select
        label="Upload task"
        description="The prompt and rubric come from the task. Choosing one fills in its time, file types and limits."
        required
        searchable
        data={options}
        value={section.taskId || null}
        onChange={(taskId) => {
          const task = items.find((t) => t.id === taskId);
          if (!task) return set('taskId', taskId ?? '');
          onChange({
            ...section,
            taskId: task.id,
            title: task.title,
            minutes: task.minutes,
            accept: task.accept,
            maxSizeMb: task.maxSizeMb,
            maxFiles: task.maxFiles,
            allowZip: task.allowZip,
          });
        }}
        nothingFoundMessage="No task has that title"
        error={
          errors.taskId ??
          (tasks.isError ? 'Couldn’t load the upload tasks. Reload the page to try again.' : undefined)
        }
        maxDropdownHeight={300}
      />
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
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
          label="Section weight (%)"
          description="Empty: weighed by time"
          min={0}
          max={100}
          value={shown(section.weight)}
          onChange={(v) => set('weight', v === '' ? null : toNumber(v))}
          error={errors.weight}
        />
      </SimpleGrid>
      <TagsInput
        label="Accepted file types"
        description="Extensions such as .sql or .md. Press Enter after each one."
        required
        value={section.accept}
        onChange={(values) => set('accept', [...new Set(values.map(normaliseExtension))])}
        splitChars={[',', ' ', '|']}
        clearable
        error={errors.accept}
      />
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
        <NumberInput
          label="Size limit per file (MB)"
          required
          min={0.1}
          max={2048}
          decimalScale={1}
          value={shown(section.maxSizeMb)}
          onChange={(v) => set('maxSizeMb', toNumber(v))}
          error={errors.maxSizeMb}
        />
        <NumberInput
          label="Number of files"
          required
          min={1}
          max={20}
          allowDecimal={false}
          value={shown(section.maxFiles)}
          onChange={(v) => set('maxFiles', toNumber(v))}
          error={errors.maxFiles}
        />
        <div>
          <Text size="sm" fw={500} id={reviewersLabelId}>
            Reviewers per submission
          </Text>
          <Text size="xs" c="dimmed" mb={4}>
            The final score is their mean
          </Text>
          <SegmentedControl
            aria-labelledby={reviewersLabelId}
            value={String(section.reviewersRequired)}
            onChange={(v) => set('reviewersRequired', Number(v))}
            data={['1', '2', '3']}
          />
        </div>
      </SimpleGrid>
      <Group>
        <Checkbox
          label="Allow a .zip archive in place of single files"
          checked={section.allowZip}
          onChange={(e) => set('allowZip', e.currentTarget.checked)}
        />
      </Group>
    </Stack>
  );
}
