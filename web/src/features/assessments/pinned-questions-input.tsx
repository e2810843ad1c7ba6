import { Anchor, Badge, Button, Group, Select, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuestionSearch } from '../../api/assessments';
import { useQuestion } from '../../api/bank';
import { difficultyColors, difficultyLabels, stemPreview, useSubtopics } from '../bank/bank-labels';

function PinnedQuestion({ questionId, onRemove }: { questionId: string; onRemove: () => void }) {
  const question = useQuestion(questionId);
  const subtopics = useSubtopics();
  const label = question.data ? stemPreview(question.data.stem, 120) : questionId;
  return (
    <Group gap="sm" wrap="nowrap" justify="space-between">
      <div style={{ minWidth: 0 }}>
        <Anchor component={Link} to={`/bank/questions/${questionId}`} size="sm" target="_blank">
          {question.isError ? `${questionId} (not found)` : label}
        </Anchor>
        {question.data && (
          <Group gap={6} mt={2}>
            <Text size="xs" c="dimmed">
              {subtopics.nameOf(question.data.subtopic)}
            </Text>
            <Badge size="xs" variant="light" color={difficultyColors[question.data.difficulty]}>
              {difficultyLabels[question.data.difficulty]}
            </Badge>
          </Group>
        )}
      </div>
      <Button size="xs" variant="default" onClick={onRemove} aria-label={`Unpin ${label}`}>
        Unpin
      </Button>
    </Group>
  );
}

/** Questions every candidate gets in this section, found by searching the bank. */
export function PinnedQuestionsInput({
  sectionKey,
  value,
  onChange,
  error,
}: {
  sectionKey: string;
  value: string[];
  onChange: (ids: string[]) => void;
  error?: string;
}) {
  const [search, setSearch] = useState('');
  const [opened, setOpened] = useState(false);
  const [q] = useDebouncedValue(search.trim(), 250);
  const results = useQuestionSearch(q, opened);
  const data = (results.data?.items ?? [])
    .filter((item) => !value.includes(item.id))
    .map((item) => ({ value: item.id, label: `${stemPreview(item.stem, 90)} (${item.slug})` }));

  return (
    <Stack gap="xs">
      <Select
        label="Pinned questions"
        description="Always included for every candidate; they count toward their subtopic. Search by words in the question or its id."
        searchable
        clearable={false}
        value={null}
        searchValue={search}
        onSearchChange={setSearch}
        onDropdownOpen={() => setOpened(true)}
        onChange={(id) => {
          if (id && !value.includes(id)) onChange([...value, id]);
          setSearch('');
        }}
        // The server already matched the text: show its answers as they are.
        filter={({ options }) => options}
        data={data}
        nothingFoundMessage={results.isFetching ? 'Searching…' : 'No matching questions'}
        maxDropdownHeight={280}
        error={error}
        id={`${sectionKey}-pin-search`}
      />
      {value.length > 0 && (
        <Stack gap={6} aria-label="Pinned questions" role="group">
          {value.map((id) => (
            <PinnedQuestion
              key={id}
              questionId={id}
              onRemove={() => onChange(value.filter((x) => x !== id))}
            />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
