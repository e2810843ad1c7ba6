import { Button, Group, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { type ApiKeyScope, type CreatedApiKey, useCreateApiKey } from '../../api/integrations';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import { scopeOptions } from './integration-labels';
import { SecretReveal } from './secret-reveal';

const NAME_MAX = 100;

export function CreateApiKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateApiKey();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const form = useForm({
    initialValues: { name: '', scope: 'read' as ApiKeyScope },
    validate: {
      name: (v) =>
        v.trim().length === 0
          ? 'Enter a name, such as the system that will use the key'
          : v.trim().length > NAME_MAX
            ? `Use at most ${NAME_MAX} characters`
            : null,
    },
  });

  const close = () => {
    form.reset();
    setError(null);
    setCreated(null);
    create.reset();
    onClose();
  };

  const submit = form.onSubmit((values) => {
    setError(null);
    create.mutate(
      { name: values.name.trim(), scope: values.scope },
      { onSuccess: setCreated, onError: (err) => setError(applyApiError(form, err)) },
    );
  });

  return (
    <Modal
      opened={opened}
      onClose={close}
      title={created ? 'Your new API key' : 'Create API key'}
      size="lg"
      // Closing by accident would lose the key for good.
      closeOnClickOutside={!created}
    >
      {created ? (
        <Stack gap="md">
          <Text size="sm">
            <strong>{created.apiKey.name}</strong> can now call the API. Send the key in the{' '}
            <Text span ff="monospace" size="sm">
              Authorization: Bearer
            </Text>{' '}
            header.
          </Text>
          <SecretReveal label="API key" secret={created.key} what="API key" />
          <Group justify="flex-end">
            <Button onClick={close}>I’ve copied the key</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <FormAlert message={error} title="Couldn’t create the key" />
            <TextInput
              label="Name"
              description="Say what will use it, so you know what breaks if you revoke it."
              required
              maxLength={NAME_MAX}
              data-autofocus
              {...form.getInputProps('name')}
            />
            <Radio.Group label="Access" required {...form.getInputProps('scope')}>
              <Stack gap="sm" mt="xs">
                {scopeOptions.map((o) => (
                  <Radio key={o.value} value={o.value} label={o.label} description={o.description} />
                ))}
              </Stack>
            </Radio.Group>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create key
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
