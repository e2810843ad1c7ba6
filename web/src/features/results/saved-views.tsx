import { Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import {
  type PipelineFilters,
  useCreateSavedView,
  useDeleteSavedView,
  useSavedViews,
} from '../../api/results';
import { FormAlert } from '../../components/form-alert';
import { applyApiError, errorMessage } from '../../lib/form-errors';
import { fromViewQuery, sameFilters, toViewQuery } from './pipeline-filters';

const NAME_MAX = 100;

function SaveViewModal({
  opened,
  onClose,
  assessmentId,
  filters,
}: {
  opened: boolean;
  onClose: () => void;
  assessmentId: string | null;
  filters: PipelineFilters;
}) {
  const create = useCreateSavedView();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '' },
    validate: {
      name: (v) =>
        !v.trim()
          ? 'Enter a name'
          : v.trim().length > NAME_MAX
            ? `Keep it under ${NAME_MAX} characters`
            : null,
    },
  });
  const close = () => {
    form.reset();
    setError(null);
    onClose();
  };
  const submit = form.onSubmit((values) => {
    setError(null);
    create.mutate(
      { name: values.name.trim(), assessmentId, query: toViewQuery(filters) },
      {
        onSuccess: (view) => {
          notifications.show({ message: `View “${view.name}” saved.` });
          close();
        },
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });
  return (
    <Modal opened={opened} onClose={close} title="Save this view">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert message={error} title="Couldn’t save the view" />
          <Text size="sm">
            Keeps the filters and sort on screen under a name, so you can come back to this list in one click.
            Views are yours: teammates don’t see them.
          </Text>
          <TextInput
            label="Name"
            description={assessmentId ? 'For this assessment only' : 'For the list across assessments'}
            required
            maxLength={NAME_MAX}
            data-autofocus
            {...form.getInputProps('name')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Save view
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Pick a saved view (its filters and sort), save the current ones, or delete the one in use. */
export function SavedViews({
  assessmentId,
  filters,
  onApply,
}: {
  assessmentId: string | null;
  filters: PipelineFilters;
  onApply: (filters: PipelineFilters) => void;
}) {
  const views = useSavedViews();
  const remove = useDeleteSavedView();
  const [saveOpened, saveDialog] = useDisclosure(false);
  const mine = (views.data?.items ?? []).filter((v) => v.assessmentId === assessmentId);
  const current = mine.find((v) => sameFilters(fromViewQuery(v.query), filters));

  return (
    <Group align="flex-end" gap="sm">
      <NativeSelect
        label="Saved view"
        value={current?.id ?? ''}
        onChange={(e) => {
          const view = mine.find((v) => v.id === e.currentTarget.value);
          if (view) onApply(fromViewQuery(view.query));
        }}
        data={[
          ...(current ? [] : [{ value: '', label: mine.length ? 'Choose a view' : 'No saved views yet' }]),
          ...mine.map((v) => ({ value: v.id, label: v.name })),
        ]}
        disabled={views.isPending || mine.length === 0}
        w={240}
      />
      <Button variant="default" onClick={saveDialog.open} disabled={current !== undefined}>
        Save view…
      </Button>
      {current && (
        <Button
          variant="subtle"
          color="red"
          loading={remove.isPending}
          onClick={() =>
            remove.mutate(current.id, {
              onSuccess: () => notifications.show({ message: `View “${current.name}” deleted.` }),
              onError: (err) =>
                notifications.show({
                  color: 'red',
                  title: 'Couldn’t delete the view',
                  message: errorMessage(err),
                }),
            })
          }
        >
          Delete view
        </Button>
      )}
      <SaveViewModal
        opened={saveOpened}
        onClose={saveDialog.close}
        assessmentId={assessmentId}
        filters={filters}
      />
    </Group>
  );
}
