import { Alert, Anchor, Badge, Box, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { type UploadTask, useUploadTask } from '../../api/bank';
import { ApiError } from '../../api/client';
import { Markdown } from '../../components/markdown';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { sourceLabels, useSubtopics } from './bank-labels';

function BackLink() {
  return (
    <Anchor component={Link} to="/bank/upload-tasks" size="sm">
      ← Upload tasks
    </Anchor>
  );
}

function Limit({ label, children }: { label: string; children: ReactNode }) {
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

// The prompt's own headings sit under the card's heading: keep them smaller than it.
const nestedHeadings = {
  '--mantine-h3-font-size': 'var(--mantine-font-size-lg)',
  '--mantine-h4-font-size': 'var(--mantine-font-size-md)',
  '--mantine-h5-font-size': 'var(--mantine-font-size-sm)',
} as CSSProperties;

const formatSize = (mb: number) => (mb < 1 ? `${Math.round(mb * 1024)} KB` : `${mb} MB`);

/** Criteria down the side, score levels across the top; a criterion without a level has a dash. */
function RubricTable({ rubric }: { rubric: UploadTask['rubric'] }) {
  const scores = [...new Set(rubric.flatMap((c) => c.levels.map((l) => l.score)))].sort((a, b) => a - b);
  return (
    <Table.ScrollContainer minWidth={220 + scores.length * 200}>
      <Table withTableBorder withColumnBorders verticalSpacing="sm" aria-labelledby="rubric-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col" w={180}>
              Criterion
            </Table.Th>
            {scores.map((score) => (
              <Table.Th key={score} scope="col">
                {score} {score === 1 ? 'point' : 'points'}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rubric.map((criterion) => (
            <Table.Tr key={criterion.id}>
              <Table.Th scope="row" style={{ verticalAlign: 'top' }}>
                {criterion.name}
              </Table.Th>
              {scores.map((score) => {
                const level = criterion.levels.find((l) => l.score === score);
                return (
                  <Table.Td key={score} style={{ verticalAlign: 'top' }}>
                    <Text size="sm">{level?.descriptor ?? '—'}</Text>
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function UploadTaskView({ task }: { task: UploadTask }) {
  const subtopics = useSubtopics();
  const maxPoints = task.rubric.reduce((sum, c) => sum + Math.max(0, ...c.levels.map((l) => l.score)), 0);
  return (
    <Page
      title={task.title}
      description={`${sourceLabels[task.source]} upload task · ${task.slug} · version ${task.version}`}
    >
      <BackLink />
      {task.source === 'builtin' && (
        <Alert color="blue" title="Part of the public built-in library">
          <Text size="sm">
            Assay is open source, so this task and its rubric are public. For high-stakes hiring, use your
            organization’s own tasks.
          </Text>
        </Alert>
      )}
      {task.retired && (
        <Alert color="yellow" title="Retired">
          <Text size="sm">New assessments can’t use this task. Past attempts keep it.</Text>
        </Alert>
      )}
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="md">
          <Limit label="Subtopics">{task.subtopics.map(subtopics.nameOf).join(', ')}</Limit>
          <Limit label="Time limit">{task.minutes} minutes</Limit>
          <Limit label="Accepted files">
            <Group gap={4}>
              {task.accept.map((ext) => (
                <Badge key={ext} variant="outline" color="gray" tt="none">
                  {ext}
                </Badge>
              ))}
            </Group>
          </Limit>
          <Limit label="Size limit">{formatSize(task.maxSizeMb)} per file</Limit>
          <Limit label="Files">{task.maxFiles === 1 ? 'One file' : `Up to ${task.maxFiles} files`}</Limit>
          <Limit label="Zip archives">{task.allowZip ? 'Allowed' : 'Not allowed'}</Limit>
        </SimpleGrid>
      </Card>
      <Card withBorder padding="lg">
        <Title order={2} size="h4" mb="sm">
          Prompt
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          What the candidate reads.
        </Text>
        <Box style={nestedHeadings}>
          <Markdown headingOffset={1}>{task.prompt}</Markdown>
        </Box>
      </Card>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <div>
            <Title order={2} size="h4" id="rubric-heading">
              Rubric
            </Title>
            <Text size="sm" c="dimmed" mt={4}>
              Reviewers score each criterion at one level. Up to {maxPoints} points in all.
            </Text>
          </div>
          <RubricTable rubric={task.rubric} />
        </Stack>
      </Card>
      <Card withBorder padding="lg">
        <Title order={2} size="h4" mb="sm">
          Reviewer notes
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          For reviewers only; candidates never see them.
        </Text>
        <Box style={nestedHeadings}>
          <Markdown headingOffset={1}>{task.reviewerNotes}</Markdown>
        </Box>
      </Card>
    </Page>
  );
}

export function UploadTaskPage() {
  const { taskId = '' } = useParams();
  const task = useUploadTask(taskId);

  if (task.isPending) {
    return (
      <Page title="Upload task">
        <LoadingState label="Loading the upload task" />
      </Page>
    );
  }
  if (task.isError) {
    const missing = task.error instanceof ApiError && task.error.status === 404;
    return (
      <Page title={missing ? 'Upload task not found' : 'Upload task'}>
        <BackLink />
        {missing ? (
          <Text>This upload task doesn’t exist, or it belongs to another organization.</Text>
        ) : (
          <LoadError error={task.error} what="the upload task" onRetry={() => void task.refetch()} />
        )}
      </Page>
    );
  }
  return <UploadTaskView task={task.data} />;
}
