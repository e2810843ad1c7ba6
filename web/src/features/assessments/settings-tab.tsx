import {
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { type Assessment, useUpdateAssessment } from '../../api/assessments';
import { ApiError } from '../../api/client';
import { FormAlert } from '../../components/form-alert';
import { Markdown } from '../../components/markdown';
import { applyApiError } from '../../lib/form-errors';
import { validateName } from '../../lib/validation';
import {
  type FeedbackPolicy,
  feedbackPolicyLabels,
  type IntegritySignal,
  integritySignalLabels,
  integritySignals,
} from './assessment-labels';
import { PublicLinkPanel } from './public-link-panel';

type Values = {
  name: string;
  intro: string;
  feedbackPolicy: FeedbackPolicy;
  invitationDays: number | string;
  integritySignals: IntegritySignal[];
  maxExtraTime: number | string;
  accommodationsContact: string;
  /** Shown as a percentage; stored as a share of 1. */
  disagreementPercent: number | string;
};

function valuesOf(a: Assessment): Values {
  const s = a.settings;
  return {
    name: a.name,
    intro: s.intro,
    feedbackPolicy: s.feedbackPolicy,
    invitationDays: s.invitationDays,
    integritySignals: s.integritySignals,
    maxExtraTime: s.maxExtraTime,
    accommodationsContact: s.accommodationsContact,
    disagreementPercent: Math.round(s.disagreementThreshold * 100),
  };
}

const inRange =
  (min: number, max: number, whole = true) =>
  (v: number | string) => {
    if (v === '' || typeof v !== 'number' || Number.isNaN(v)) return 'Enter a number';
    if (whole && !Number.isInteger(v)) return 'Enter a whole number';
    return v < min || v > max ? `Enter ${min} to ${max}` : null;
  };

/** The server names settings fields "body.settings.intro"; the form calls them "intro". */
function withSettingsFieldsFlattened(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const fields: Record<string, string> = {};
  for (const [key, message] of Object.entries(err.fields)) {
    const m = /^(?:body\.)?settings\.(\w+)/.exec(key);
    const field = m?.[1] === 'disagreementThreshold' ? 'disagreementPercent' : m?.[1];
    fields[field ?? key] = message;
  }
  return new ApiError(err.code, err.message, fields, err.status, err.requestId);
}

function SettingsCard({ title, children }: { title: string; children: React.ReactNode }) {
  const id = `settings-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby={id}>
      <Stack gap="md">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

export function SettingsTab({
  assessment,
  onDirtyChange,
}: {
  assessment: Assessment;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const update = useUpdateAssessment(assessment.id);
  const [error, setError] = useState<string | null>(null);
  const readOnly = assessment.state === 'archived';
  const form = useForm<Values>({
    initialValues: valuesOf(assessment),
    validate: {
      name: validateName('a name'),
      intro: (v) => (v.length > 10_000 ? 'Use at most 10,000 characters' : null),
      invitationDays: inRange(1, 365),
      maxExtraTime: inRange(1, 3, false),
      accommodationsContact: (v) => (v.length > 300 ? 'Use at most 300 characters' : null),
      disagreementPercent: inRange(0, 100),
    },
  });
  const dirty = form.isDirty();
  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange]);

  // Someone saved elsewhere (or the page refetched): follow the server unless there are edits here.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when a new revision arrives
  useEffect(() => {
    if (!form.isDirty()) {
      form.setInitialValues(valuesOf(assessment));
      form.reset();
    }
  }, [assessment.revision]);

  const submit = form.onSubmit((values) => {
    setError(null);
    update.mutate(
      {
        name: values.name.trim(),
        revision: assessment.revision,
        settings: {
          ...assessment.settings,
          intro: values.intro,
          feedbackPolicy: values.feedbackPolicy,
          invitationDays: Number(values.invitationDays),
          integritySignals: values.integritySignals,
          maxExtraTime: Number(values.maxExtraTime),
          accommodationsContact: values.accommodationsContact.trim(),
          disagreementThreshold: Number(values.disagreementPercent) / 100,
        },
      },
      {
        onSuccess: (saved) => {
          form.setInitialValues(valuesOf(saved));
          form.reset();
          notifications.show({ message: 'Settings saved.' });
        },
        onError: (err) => setError(applyApiError(form, withSettingsFieldsFlattened(err))),
      },
    );
  });

  return (
    <Stack gap="md">
      <form onSubmit={submit} noValidate aria-label="Assessment settings">
        <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
          <Stack gap="md">
            <FormAlert message={error} title="Couldn’t save the settings" />
            <SettingsCard title="What candidates see">
              <TextInput label="Name" required maxLength={200} {...form.getInputProps('name')} />
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
                <Textarea
                  label="Introduction"
                  description="Shown on the landing page before the candidate starts. Markdown: **bold**, *italic*, lists, `code` and links."
                  autosize
                  minRows={8}
                  maxRows={20}
                  {...form.getInputProps('intro')}
                />
                <div>
                  <Text size="sm" fw={500} mb={4} id="intro-preview-label">
                    Preview
                  </Text>
                  <Paper
                    withBorder
                    p="md"
                    radius="md"
                    mih={180}
                    aria-labelledby="intro-preview-label"
                    role="region"
                  >
                    {form.values.intro.trim() ? (
                      <Markdown>{form.values.intro}</Markdown>
                    ) : (
                      <Text size="sm" c="dimmed">
                        Without an introduction, candidates see the sections, time limits and rules only.
                      </Text>
                    )}
                  </Paper>
                </div>
              </SimpleGrid>
              <Radio.Group
                label="Feedback to candidates"
                description="What candidates see once their answers are graded"
                {...form.getInputProps('feedbackPolicy')}
              >
                <Stack gap="xs" mt="xs">
                  {(Object.keys(feedbackPolicyLabels) as FeedbackPolicy[]).map((p) => (
                    <Radio
                      key={p}
                      value={p}
                      label={feedbackPolicyLabels[p].label}
                      description={feedbackPolicyLabels[p].description}
                    />
                  ))}
                </Stack>
              </Radio.Group>
              <TextInput
                label="Accommodations contact"
                description="An email address or a sentence telling candidates whom to ask for extra time or other adjustments"
                maxLength={300}
                {...form.getInputProps('accommodationsContact')}
              />
            </SettingsCard>

            <SettingsCard title="Invitations and timing">
              <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
                <NumberInput
                  label="Invitations expire after (days)"
                  min={1}
                  max={365}
                  allowDecimal={false}
                  {...form.getInputProps('invitationDays')}
                />
                <NumberInput
                  label="Most extra time (multiplier)"
                  description="The largest extra time you can grant one candidate, such as 1.5×"
                  min={1}
                  max={3}
                  step={0.25}
                  decimalScale={2}
                  suffix="×"
                  {...form.getInputProps('maxExtraTime')}
                />
                <NumberInput
                  label="Reviewer disagreement flag (%)"
                  description="Flag an upload when two reviewers’ totals differ by more than this share of the maximum"
                  min={0}
                  max={100}
                  allowDecimal={false}
                  suffix="%"
                  {...form.getInputProps('disagreementPercent')}
                />
              </SimpleGrid>
            </SettingsCard>

            <SettingsCard title="Integrity signals">
              <Checkbox.Group
                label="What to record while candidates take it"
                description="Signals are shown to reviewers as context; none of them fails a candidate automatically. Candidates are told which ones are on."
                {...form.getInputProps('integritySignals')}
              >
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
                  {integritySignals.map((signal) => (
                    <Checkbox
                      key={signal}
                      value={signal}
                      label={integritySignalLabels[signal].label}
                      description={integritySignalLabels[signal].description}
                    />
                  ))}
                </SimpleGrid>
              </Checkbox.Group>
            </SettingsCard>

            {!readOnly && (
              <Paper withBorder p="sm" radius="md" style={{ position: 'sticky', bottom: 8, zIndex: 5 }}>
                <Group justify="flex-end" gap="xs">
                  {dirty && (
                    <Text size="sm" c="dimmed">
                      Unsaved changes
                    </Text>
                  )}
                  <Button
                    variant="default"
                    disabled={!dirty || update.isPending}
                    onClick={() => form.reset()}
                  >
                    Discard changes
                  </Button>
                  <Button type="submit" loading={update.isPending} disabled={!dirty}>
                    Save settings
                  </Button>
                </Group>
              </Paper>
            )}
          </Stack>
        </fieldset>
      </form>
      <SettingsCard title="Public link">
        <PublicLinkPanel assessment={assessment} />
      </SettingsCard>
    </Stack>
  );
}
