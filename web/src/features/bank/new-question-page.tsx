import { Alert, Anchor, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useCreateQuestion, useQuestion } from '../../api/bank';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import {
  emptyQuestionValues,
  QuestionForm,
  type QuestionFormValues,
  questionValuesFrom,
  toQuestionBody,
} from './question-form';

function NewQuestionForm({
  initialValues,
  copiedFrom,
}: {
  initialValues: QuestionFormValues;
  copiedFrom?: string;
}) {
  const create = useCreateQuestion();
  const navigate = useNavigate();
  return (
    <>
      {copiedFrom && (
        <Alert color="blue" title="Starting from a copy">
          <Text size="sm">
            This is a copy of {copiedFrom}. Change what you need: the new question belongs to your
            organization and the original stays as it is.
          </Text>
        </Alert>
      )}
      <QuestionForm
        initialValues={initialValues}
        withSlug
        submitLabel="Create question"
        cancelTo="/bank"
        pending={create.isPending}
        onSubmit={(values, { onError }) => {
          const slug = values.slug.trim();
          create.mutate(
            { ...toQuestionBody(values), ...(slug ? { slug } : {}) },
            {
              onSuccess: (created) => {
                notifications.show({ message: `Question ${created.slug} created.` });
                navigate(`/bank/questions/${created.id}`);
              },
              onError,
            },
          );
        }}
      />
    </>
  );
}

export function NewQuestionPage() {
  const [params] = useSearchParams();
  const from = params.get('from');
  const source = useQuestion(from);

  return (
    <Page
      title="New question"
      description="A custom question belongs to your organization. Only your team sees it, so it suits high-stakes hiring better than the public built-in library."
    >
      <Anchor component={Link} to="/bank" size="sm">
        ← Question bank
      </Anchor>
      {!from ? (
        <NewQuestionForm initialValues={emptyQuestionValues()} />
      ) : source.isPending ? (
        <LoadingState label="Loading the question to copy" />
      ) : source.isError ? (
        <LoadError error={source.error} what="the question to copy" onRetry={() => void source.refetch()} />
      ) : (
        <NewQuestionForm initialValues={questionValuesFrom(source.data)} copiedFrom={source.data.slug} />
      )}
    </Page>
  );
}
