import { Alert, Anchor, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate, useParams } from 'react-router';
import { type QuestionDetail, useQuestion, useUpdateQuestion } from '../../api/bank';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { QuestionForm, questionValuesFrom, toQuestionBody } from './question-form';

function EditQuestionForm({ question }: { question: QuestionDetail }) {
  const update = useUpdateQuestion(question.id);
  const navigate = useNavigate();
  const back = `/bank/questions/${question.id}`;
  return (
    <QuestionForm
      initialValues={questionValuesFrom(question)}
      withSlug={false}
      submitLabel={`Save as version ${question.version + 1}`}
      cancelTo={back}
      pending={update.isPending}
      onSubmit={(values, { onError }) =>
        update.mutate(toQuestionBody(values), {
          onSuccess: (saved) => {
            notifications.show({
              message:
                saved.version === question.version
                  ? 'Nothing changed, so no new version was made.'
                  : `Saved as version ${saved.version}.`,
            });
            navigate(back);
          },
          onError,
        })
      }
    />
  );
}

export function EditQuestionPage() {
  const { questionId = '' } = useParams();
  const question = useQuestion(questionId);
  const back = (
    <Anchor component={Link} to={`/bank/questions/${questionId}`} size="sm">
      ← Back to the question
    </Anchor>
  );

  if (question.isPending) {
    return (
      <Page title="Edit question">
        <LoadingState label="Loading the question" />
      </Page>
    );
  }
  if (question.isError) {
    return (
      <Page title="Edit question">
        {back}
        <LoadError error={question.error} what="the question" onRetry={() => void question.refetch()} />
      </Page>
    );
  }
  const q = question.data;
  return (
    <Page
      title={`Edit ${q.slug}`}
      description="Saving makes a new version. Attempts that already used this question keep the version they were given."
    >
      {back}
      {q.editable ? (
        <EditQuestionForm question={q} />
      ) : (
        <Alert color="gray" title="This question can’t be edited here">
          <Text size="sm">
            {q.source === 'builtin'
              ? 'It’s part of the public built-in library. Copy it to a new question to make a version of your own.'
              : 'It comes from your organization’s content pack: change it in the pack’s YAML files.'}
          </Text>
        </Alert>
      )}
    </Page>
  );
}
