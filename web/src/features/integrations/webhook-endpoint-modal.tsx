import { Button, Checkbox, Group, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import {
  type CreatedWebhookEndpoint,
  useCreateWebhookEndpoint,
  useUpdateWebhookEndpoint,
  type WebhookEndpoint,
  type WebhookEventType,
} from '../../api/integrations';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import { eventTypeOptions } from './integration-labels';
import { SecretReveal } from './secret-reveal';

type Values = { url: string; description: string; eventTypes: WebhookEventType[]; active: boolean };

function validateUrl(v: string): string | null {
  const s = v.trim();
  if (!s) return 'Enter the address of your receiver';
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : 'Use an https:// address';
  } catch {
    return 'Enter a full address, such as https://example.com/webhooks/assay';
  }
}

function EndpointForm({
  initial,
  submitLabel,
  pending,
  showActive,
  onSubmit,
  onCancel,
}: {
  initial: Values;
  submitLabel: string;
  pending: boolean;
  showActive: boolean;
  onSubmit: (values: Values, fail: (err: unknown) => void) => void;
  onCancel: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<Values>({
    initialValues: initial,
    validate: {
      url: validateUrl,
      eventTypes: (v) => (v.length === 0 ? 'Choose at least one event' : null),
    },
  });
  const submit = form.onSubmit((values) => {
    setError(null);
    onSubmit({ ...values, url: values.url.trim(), description: values.description.trim() }, (err) =>
      setError(applyApiError(form, err)),
    );
  });
  const all = eventTypeOptions.map((o) => o.value);
  const allChosen = form.values.eventTypes.length === all.length;
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <FormAlert message={error} title="Couldn’t save the endpoint" />
        <TextInput
          label="Endpoint URL"
          description="Where Assay POSTs signed JSON, such as https://hooks.example.com/assay. Redirects are not followed."
          type="url"
          required
          data-autofocus
          {...form.getInputProps('url')}
        />
        <TextInput
          label="Description"
          description="Optional: what receives these messages."
          maxLength={500}
          {...form.getInputProps('description')}
        />
        <Checkbox.Group
          label="Events"
          description="Messages carry ids, states and scores, never names or emails."
          required
          {...form.getInputProps('eventTypes')}
        >
          <Stack gap={6} mt="xs">
            {eventTypeOptions.map((o) => (
              <Checkbox
                key={o.value}
                value={o.value}
                label={
                  <>
                    {o.label}{' '}
                    <Text span size="xs" c="dimmed" ff="monospace">
                      {o.value}
                    </Text>
                  </>
                }
              />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group>
          <Button
            variant="subtle"
            size="compact-sm"
            onClick={() => form.setFieldValue('eventTypes', allChosen ? [] : all)}
          >
            {allChosen ? 'Clear all events' : 'Choose all events'}
          </Button>
        </Group>
        {showActive && (
          <Switch
            label="Send deliveries"
            description="When off, events are logged as skipped and not sent."
            {...form.getInputProps('active', { type: 'checkbox' })}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function CreateWebhookEndpointModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (endpointId: string) => void;
}) {
  const create = useCreateWebhookEndpoint();
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);
  const close = () => {
    const id = created?.endpoint.id;
    setCreated(null);
    create.reset();
    onClose();
    if (id) onCreated(id);
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={created ? 'Your signing secret' : 'Add webhook endpoint'}
      size="lg"
      closeOnClickOutside={!created}
    >
      {created ? (
        <Stack gap="md">
          <Text size="sm">
            Deliveries to <strong>{created.endpoint.url}</strong> are signed with this secret. Use it in your
            receiver to check the{' '}
            <Text span ff="monospace" size="sm">
              webhook-signature
            </Text>{' '}
            header.
          </Text>
          <SecretReveal label="Signing secret" secret={created.secret} what="signing secret" />
          <Group justify="flex-end">
            <Button onClick={close}>I’ve copied the secret</Button>
          </Group>
        </Stack>
      ) : (
        <EndpointForm
          initial={{ url: '', description: '', eventTypes: ['attempt.graded'], active: true }}
          submitLabel="Add endpoint"
          pending={create.isPending}
          showActive={false}
          onCancel={close}
          onSubmit={(v, fail) =>
            create.mutate(
              { url: v.url, description: v.description, eventTypes: v.eventTypes },
              { onSuccess: setCreated, onError: fail },
            )
          }
        />
      )}
    </Modal>
  );
}

export function EditWebhookEndpointModal({
  endpoint,
  opened,
  onClose,
}: {
  endpoint: WebhookEndpoint;
  opened: boolean;
  onClose: () => void;
}) {
  const update = useUpdateWebhookEndpoint(endpoint.id);
  const close = () => {
    update.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Edit webhook endpoint" size="lg">
      {opened && (
        <EndpointForm
          initial={{
            url: endpoint.url,
            description: endpoint.description,
            eventTypes: endpoint.eventTypes,
            active: endpoint.active,
          }}
          submitLabel="Save"
          pending={update.isPending}
          showActive
          onCancel={close}
          onSubmit={(v, fail) =>
            update.mutate(v, {
              onSuccess: () => {
                notifications.show({ message: 'Webhook endpoint saved.' });
                close();
              },
              onError: fail,
            })
          }
        />
      )}
    </Modal>
  );
}
