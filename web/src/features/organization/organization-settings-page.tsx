import { Button, Card, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useOrganization, useUpdateOrganization } from '../../api/organization';
import type { Organization } from '../../api/types';
import { FormAlert } from '../../components/form-alert';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { applyApiError } from '../../lib/form-errors';
import { formatDate } from '../../lib/format';
import { NAME_MAX, validateName } from '../../lib/validation';
import { DemoDataPanel } from '../results/demo-data';

function NameForm({ organization }: { organization: Organization }) {
  const update = useUpdateOrganization();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: organization.name },
    validate: { name: validateName('a name') },
  });

  // Another admin may rename it meanwhile: follow the saved name unless this form has edits.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the saved name changes
  useEffect(() => {
    if (form.isDirty()) return;
    form.setInitialValues({ name: organization.name });
    form.setValues({ name: organization.name });
  }, [organization.name]);

  const submit = form.onSubmit((values) => {
    setError(null);
    update.mutate(
      { name: values.name.trim() },
      {
        onSuccess: (saved) => {
          form.setInitialValues({ name: saved.name });
          form.setValues({ name: saved.name });
          notifications.show({ message: 'Organization name saved.' });
        },
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md" maw={420}>
        <FormAlert message={error} title="Couldn’t save the name" />
        <TextInput
          label="Organization name"
          description="Shown to your team and in emails to candidates."
          required
          maxLength={NAME_MAX}
          {...form.getInputProps('name')}
        />
        <Button
          type="submit"
          loading={update.isPending}
          disabled={!form.isDirty()}
          style={{ alignSelf: 'flex-start' }}
        >
          Save
        </Button>
      </Stack>
    </form>
  );
}

export function OrganizationSettingsPage() {
  const organization = useOrganization();
  return (
    <Page title="Organization settings">
      <Card withBorder padding="lg">
        <Title order={2} size="h4" mb="md">
          General
        </Title>
        {organization.isPending ? (
          <LoadingState />
        ) : organization.isError ? (
          <LoadError
            error={organization.error}
            what="the organization"
            onRetry={() => void organization.refetch()}
          />
        ) : (
          <Stack gap="md">
            <NameForm organization={organization.data} />
            <Text size="sm" c="dimmed">
              Created {formatDate(organization.data.createdAt)}
            </Text>
          </Stack>
        )}
      </Card>
      <Card withBorder padding="lg">
        <Title order={2} size="h4" mb="md">
          Demo data
        </Title>
        <DemoDataPanel />
      </Card>
    </Page>
  );
}
