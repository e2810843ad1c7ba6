import { Alert, Badge, Button, Card, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import {
  type Assessment,
  type QuizSection,
  type Section,
  type UploadSection,
  useUpdateAssessment,
} from '../../api/assessments';
import { ApiError, fieldErrorsOf } from '../../api/client';
import { FormAlert } from '../../components/form-alert';
import { errorMessage } from '../../lib/form-errors';
import { QuizSectionFields } from './quiz-section-fields';
import {
  errorsOfSection,
  newQuizSection,
  newUploadSection,
  type SectionErrors,
  validateSections,
} from './section-model';
import { UploadSectionFields } from './upload-section-fields';

const kindLabels = { quiz: 'Quiz', upload: 'File upload' } as const;

function SectionCard({
  section,
  index,
  count,
  errors,
  readOnly,
  onChange,
  onMove,
  onRemove,
}: {
  section: Section;
  index: number;
  count: number;
  errors: Record<string, string>;
  readOnly: boolean;
  onChange: (next: Section) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}) {
  const headingId = `section-${section.key}-heading`;
  const name = section.title.trim() || `Section ${index + 1}`;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby={headingId}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
          <div>
            <Title order={2} size="h4" id={headingId}>
              {index + 1}. {name}
            </Title>
            <Group gap={6} mt={4}>
              <Badge variant="light" color={section.kind === 'quiz' ? 'assay' : 'grape'}>
                {kindLabels[section.kind]}
              </Badge>
              <Text size="xs" c="dimmed">
                {Number.isFinite(section.minutes) ? `${section.minutes} min` : ''}
              </Text>
            </Group>
          </div>
          {!readOnly && (
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                disabled={index === 0}
                onClick={() => onMove(-1)}
                aria-label={`Move ${name} up`}
              >
                Move up
              </Button>
              <Button
                size="xs"
                variant="default"
                disabled={index === count - 1}
                onClick={() => onMove(1)}
                aria-label={`Move ${name} down`}
              >
                Move down
              </Button>
              <Button
                size="xs"
                variant="default"
                color="red"
                onClick={onRemove}
                aria-label={`Remove ${name}`}
              >
                Remove
              </Button>
            </Group>
          )}
        </Group>
        {section.kind === 'quiz' ? (
          <QuizSectionFields section={section} errors={errors} onChange={(s: QuizSection) => onChange(s)} />
        ) : (
          <UploadSectionFields
            section={section}
            errors={errors}
            onChange={(s: UploadSection) => onChange(s)}
          />
        )}
      </Stack>
    </Card>
  );
}

/** The ordered sections of an assessment, edited locally and saved as a whole. */
export function SectionsTab({
  assessment,
  onDirtyChange,
}: {
  assessment: Assessment;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const update = useUpdateAssessment(assessment.id);
  const [draft, setDraft] = useState<Section[] | null>(null);
  const [showErrors, setShowErrors] = useState(false);
  const [serverErrors, setServerErrors] = useState<SectionErrors>({});
  const [error, setError] = useState<string | null>(null);
  const sections = draft ?? assessment.sections;
  const dirty = draft !== null;
  const readOnly = assessment.state === 'archived';
  const clientErrors = validateSections(sections);
  const errors = { ...(showErrors ? clientErrors : {}), ...serverErrors };

  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange]);

  const edit = (next: Section[]) => {
    setDraft(next);
    setServerErrors({});
  };
  const replace = (index: number, section: Section) =>
    edit(sections.map((s, i) => (i === index ? section : s)));
  const move = (index: number, delta: -1 | 1) => {
    const next = [...sections];
    const [moved] = next.splice(index, 1);
    if (moved) next.splice(index + delta, 0, moved);
    edit(next);
  };

  const save = () => {
    setError(null);
    setShowErrors(true);
    if (Object.keys(clientErrors).length > 0) {
      setError('Some sections need attention: see the messages below.');
      return;
    }
    update.mutate(
      { sections, revision: assessment.revision },
      {
        onSuccess: () => {
          setDraft(null);
          setShowErrors(false);
          notifications.show({ message: 'Sections saved.' });
        },
        onError: (err) => {
          if (err instanceof ApiError) {
            const fields = fieldErrorsOf(err);
            setServerErrors(fields);
            setError(
              Object.keys(fields).length > 0
                ? `${err.message} See the messages below.`
                : err.code === 'CONFLICT' && err.status === 409 && assessment.state === 'open'
                  ? `${err.message} An open assessment must stay drawable: the Overview tab lists what is short.`
                  : err.message,
            );
          } else setError(errorMessage(err));
        },
      },
    );
  };

  return (
    <Stack gap="md">
      {readOnly && (
        <Alert color="gray" title="Archived">
          An archived assessment can’t be changed. Duplicate it to build on it.
        </Alert>
      )}
      {assessment.state === 'open' && (
        <Alert color="blue" title="This assessment is open">
          Candidates who start from now on get the saved version. Those already taking it keep the version
          they started.
        </Alert>
      )}
      <FormAlert message={error} title="Couldn’t save the sections" />
      {sections.length === 0 ? (
        <Card withBorder padding="lg">
          <Text size="sm" c="dimmed">
            No sections yet. Add a Concepts &amp; Knowledge quiz drawn from the question bank, or a file
            upload task that reviewers grade against a rubric.
          </Text>
        </Card>
      ) : (
        <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
          <Stack gap="md">
            {sections.map((section, index) => (
              <SectionCard
                key={section.key}
                section={section}
                index={index}
                count={sections.length}
                errors={errorsOfSection(errors, index)}
                readOnly={readOnly}
                onChange={(next) => replace(index, next)}
                onMove={(delta) => move(index, delta)}
                onRemove={() => edit(sections.filter((_, i) => i !== index))}
              />
            ))}
          </Stack>
        </fieldset>
      )}
      {!readOnly && (
        <Paper
          withBorder
          p="sm"
          radius="md"
          shadow={dirty ? 'md' : undefined}
          style={{ position: 'sticky', bottom: 8, zIndex: 5 }}
        >
          <Group justify="space-between" wrap="wrap" gap="sm">
            <Group gap="xs">
              <Button
                variant="default"
                onClick={() => edit([...sections, newQuizSection(sections)])}
                disabled={sections.length >= 20}
              >
                Add quiz section
              </Button>
              <Button
                variant="default"
                onClick={() => edit([...sections, newUploadSection(sections)])}
                disabled={sections.length >= 20}
              >
                Add upload section
              </Button>
            </Group>
            <Group gap="xs">
              {dirty && (
                <Text size="sm" c="dimmed">
                  Unsaved changes
                </Text>
              )}
              <Button
                variant="default"
                disabled={!dirty || update.isPending}
                onClick={() => {
                  setDraft(null);
                  setServerErrors({});
                  setShowErrors(false);
                  setError(null);
                }}
              >
                Discard changes
              </Button>
              <Button onClick={save} loading={update.isPending} disabled={!dirty}>
                Save sections
              </Button>
            </Group>
          </Group>
        </Paper>
      )}
    </Stack>
  );
}
