import { Alert, Anchor, Badge, Button, Card, Grid, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useParams, useSearchParams } from 'react-router';
import { type QuestionDetail, useQuestion, useSetQuestionRetired } from '../../api/bank';
import { ApiError } from '../../api/client';
import { useCurrentSession } from '../../app/session-context';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { sourceLabels, useSubtopics } from './bank-labels';
import { QuestionContent } from './question-content';

function BackLink() {
  return (
    <Anchor component={Link} to="/bank" size="sm">
      ← Question bank
    </Anchor>
  );
}

function SourceNote({ question }: { question: QuestionDetail }) {
  if (question.source === 'builtin') {
    return (
      <Alert color="blue" title="Part of the public built-in library">
        <Text size="sm">
          Assay is open source, so this question and its answer key are public. It’s a good fit for screening
          at scale; for high-stakes hiring, use your organization’s own questions. Built-in questions can’t be
          edited: copy one to make a version of your own.
        </Text>
      </Alert>
    );
  }
  if (question.source === 'pack') {
    return (
      <Alert color="gray" title="From your organization’s content pack">
        <Text size="sm">
          Change it in the pack’s YAML files. Assay loads the change as a new version the next time it starts.
        </Text>
      </Alert>
    );
  }
  return null;
}

function RetireButton({ question }: { question: QuestionDetail }) {
  const setRetired = useSetQuestionRetired(question.id);
  const retire = !question.retired;
  return (
    <Button
      variant="default"
      loading={setRetired.isPending}
      onClick={() =>
        setRetired.mutate(retire, {
          onSuccess: () =>
            notifications.show({
              message: retire
                ? 'The question is retired: new assessments won’t draw it.'
                : 'The question is back in new draws.',
            }),
          onError: (err) =>
            notifications.show({
              color: 'red',
              title: retire ? 'Couldn’t retire the question' : 'Couldn’t restore the question',
              message: errorMessage(err),
            }),
        })
      }
    >
      {retire ? 'Retire' : 'Restore'}
    </Button>
  );
}

function VersionHistory({
  question,
  selected,
  onSelect,
}: {
  question: QuestionDetail;
  selected: number;
  onSelect: (version: number) => void;
}) {
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h4" mb="xs" id="versions-heading">
        Version history
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Each edit makes a new version. Past attempts keep the version they were given.
      </Text>
      <nav aria-labelledby="versions-heading">
        {question.versions.map((v) => (
          <NavLink
            key={v.id}
            component="button"
            type="button"
            label={
              <Group gap={6}>
                <span>Version {v.version}</span>
                {v.version === question.version && (
                  <Badge size="xs" variant="light">
                    Current
                  </Badge>
                )}
              </Group>
            }
            description={formatDateTime(v.createdAt)}
            active={v.version === selected}
            aria-current={v.version === selected ? 'true' : undefined}
            onClick={() => onSelect(v.version)}
          />
        ))}
      </nav>
    </Card>
  );
}

function QuestionView({ question }: { question: QuestionDetail }) {
  const session = useCurrentSession();
  const subtopics = useSubtopics();
  const [params, setParams] = useSearchParams();
  const writer = can(session.organization?.role, 'bank.write');
  const wanted = Number(params.get('version'));
  const shown = question.versions.find((v) => v.version === wanted) ?? question.versions[0];
  const selectVersion = (version: number) =>
    setParams(version === question.version ? {} : { version: String(version) }, { replace: true });

  return (
    <Page
      title={question.slug}
      description={`${sourceLabels[question.source]} question · version ${question.version}`}
      actions={
        writer && (
          <>
            {question.editable && (
              <Button component={Link} to={`/bank/questions/${question.id}/edit`}>
                Edit
              </Button>
            )}
            {question.editable && <RetireButton question={question} />}
            <Button component={Link} to={`/bank/questions/new?from=${question.id}`} variant="default">
              Copy to a new question
            </Button>
          </>
        )
      }
    >
      <BackLink />
      <SourceNote question={question} />
      {question.retired && (
        <Alert color="yellow" title="Retired">
          <Text size="sm">New assessments don’t draw this question. Past attempts keep it.</Text>
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder padding="lg">
            {shown ? (
              <Stack gap="md">
                <Group justify="space-between" align="baseline">
                  <Title order={2} size="h4">
                    Version {shown.version}
                    {shown.version === question.version ? ' (current)' : ''}
                  </Title>
                  <Text size="sm" c="dimmed">
                    Saved {formatDateTime(shown.createdAt)}
                  </Text>
                </Group>
                {shown.version !== question.version && (
                  <Alert color="gray" variant="light">
                    <Group justify="space-between" gap="sm">
                      <Text size="sm">You’re looking at an earlier version.</Text>
                      <Button size="xs" variant="default" onClick={() => selectVersion(question.version)}>
                        Show the current version
                      </Button>
                    </Group>
                  </Alert>
                )}
                <QuestionContent question={shown} subtopicName={subtopics.nameOf(shown.subtopic)} />
              </Stack>
            ) : (
              <Text c="dimmed">This question has no versions.</Text>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <VersionHistory
            question={question}
            selected={shown?.version ?? question.version}
            onSelect={selectVersion}
          />
        </Grid.Col>
      </Grid>
    </Page>
  );
}

export function QuestionPage() {
  const { questionId = '' } = useParams();
  const question = useQuestion(questionId);

  if (question.isPending) {
    return (
      <Page title="Question">
        <LoadingState label="Loading the question" />
      </Page>
    );
  }
  if (question.isError) {
    const missing = question.error instanceof ApiError && question.error.status === 404;
    return (
      <Page title={missing ? 'Question not found' : 'Question'}>
        <BackLink />
        {missing ? (
          <Text>This question doesn’t exist, or it belongs to another organization.</Text>
        ) : (
          <LoadError error={question.error} what="the question" onRetry={() => void question.refetch()} />
        )}
      </Page>
    );
  }
  return <QuestionView question={question.data} />;
}
