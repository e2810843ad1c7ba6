import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { Assessment } from '../../api/assessments';
import { useInviteCandidate } from '../../api/invitations';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import { validateEmail, validateName } from '../../lib/validation';
import { CsvImportPanel } from './csv-import-panel';
import { PublicLinkPanel } from './public-link-panel';

function SingleInviteForm({ assessment, onDone }: { assessment: Assessment; onDone: () => void }) {
  const invite = useInviteCandidate(assessment.id);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const maxExtra = assessment.settings.maxExtraTime;
  const form = useForm({
    initialValues: { email: '', name: '', externalId: '', extraTime: 1 as number | string },
    validate: {
      email: validateEmail,
      name: validateName('the candidate’s name'),
      externalId: (v) => (v.trim().length > 200 ? 'Use at most 200 characters' : null),
      extraTime: (v) =>
        typeof v !== 'number' || v < 1 || v > maxExtra ? `Enter a multiplier from 1 to ${maxExtra}` : null,
    },
  });

  const submit = form.onSubmit((values) => {
    setError(null);
    setSent(null);
    const externalId = values.externalId.trim();
    invite.mutate(
      {
        email: values.email.trim(),
        name: values.name.trim(),
        ...(externalId ? { externalId } : {}),
        ...(values.extraTime !== 1 ? { extraTime: Number(values.extraTime) } : {}),
      },
      {
        onSuccess: ({ created, invitation }) => {
          setSent(
            created
              ? `Invitation sent to ${invitation.candidate.name} (${invitation.candidate.email}).`
              : `${invitation.candidate.email} was already invited to this assessment, so nothing new was sent. To send the link again, use Resend in the list.`,
          );
          form.reset();
        },
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <div aria-live="polite">
          {sent && (
            <Alert color="assay" title="Done">
              {sent}
            </Alert>
          )}
        </div>
        <FormAlert message={error} title="Couldn’t send the invitation" />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            required
            data-autofocus
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Name"
            autoComplete="off"
            required
            maxLength={200}
            {...form.getInputProps('name')}
          />
          <TextInput
            label="External id"
            description="The candidate’s id in your applicant-tracking system"
            maxLength={200}
            {...form.getInputProps('externalId')}
          />
          <NumberInput
            label="Extra time"
            description={`A multiplier for every time limit, up to ${maxExtra}×`}
            min={1}
            max={maxExtra}
            step={0.25}
            decimalScale={2}
            suffix="×"
            {...form.getInputProps('extraTime')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
          <Button type="submit" loading={invite.isPending}>
            Send invitation
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Invite one candidate, a CSV of many, or anyone with the public link. */
export function InviteModal({
  assessment,
  opened,
  onClose,
}: {
  assessment: Assessment;
  opened: boolean;
  onClose: () => void;
}) {
  const [tab, setTab] = useState<string | null>('single');
  return (
    <Modal opened={opened} onClose={onClose} title={`Invite candidates to ${assessment.name}`} size="xl">
      <Text size="sm" c="dimmed" mb="md">
        Each candidate gets an email with a personal link. Their invitation expires after{' '}
        {assessment.settings.invitationDays} days; the timer starts only when they press Start.
      </Text>
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List mb="md">
          <Tabs.Tab value="single">Single</Tabs.Tab>
          <Tabs.Tab value="csv">CSV upload</Tabs.Tab>
          <Tabs.Tab value="public">Public link</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="single">
          <SingleInviteForm assessment={assessment} onDone={onClose} />
        </Tabs.Panel>
        <Tabs.Panel value="csv">
          <CsvImportPanel assessment={assessment} onDone={onClose} />
        </Tabs.Panel>
        <Tabs.Panel value="public">
          <PublicLinkPanel assessment={assessment} />
        </Tabs.Panel>
      </Tabs>
    </Modal>
  );
}
