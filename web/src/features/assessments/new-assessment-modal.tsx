import { Button, Group, Modal, Radio, ScrollArea, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCreateAssessment } from '../../api/assessments';
import { type RoleTemplate, useRoleTemplates } from '../../api/bank';
import { FormAlert } from '../../components/form-alert';
import { LoadError, LoadingState } from '../../components/query-state';
import { applyApiError } from '../../lib/form-errors';
import { NAME_MAX } from '../../lib/validation';

const BLANK = 'blank';

function TemplateCard({ template }: { template: RoleTemplate }) {
  return (
    <Radio.Card value={template.id} withBorder p="md" radius="md" h="100%">
      <Group wrap="nowrap" align="flex-start" gap="sm">
        <Radio.Indicator mt={2} />
        <div>
          <Text fw={600} size="sm">
            {template.name}
          </Text>
          <Text size="xs" c="dimmed" mt={2} lineClamp={3}>
            {template.description}
          </Text>
          <Text size="xs" fw={500} mt={6}>
            {template.questionCount} questions · {template.minutes} min
            {template.uploadTasks.length > 0 &&
              ` · ${template.uploadTasks.length} upload ${template.uploadTasks.length === 1 ? 'task' : 'tasks'}`}
          </Text>
        </div>
      </Group>
    </Radio.Card>
  );
}

export function NewAssessmentModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const templates = useRoleTemplates();
  const create = useCreateAssessment();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { roleTemplateId: '', name: '' },
    validate: {
      roleTemplateId: (v) => (v ? null : 'Choose a role template, or Blank'),
      name: (v, values) => {
        const name = v.trim();
        if (values.roleTemplateId === BLANK && !name) return 'Name the assessment';
        if (name.length > NAME_MAX) return `Use at most ${NAME_MAX} characters`;
        return null;
      },
    },
  });

  const close = () => {
    form.reset();
    setError(null);
    create.reset();
    onClose();
  };

  const chosen = templates.data?.items.find((t) => t.id === form.values.roleTemplateId);

  const submit = form.onSubmit((values) => {
    setError(null);
    const name = values.name.trim();
    create.mutate(
      {
        ...(name ? { name } : {}),
        ...(values.roleTemplateId !== BLANK ? { roleTemplateId: values.roleTemplateId } : {}),
      },
      {
        onSuccess: (assessment) => {
          notifications.show({ message: `“${assessment.name}” was created as a draft.` });
          close();
          navigate(`/assessments/${assessment.id}${values.roleTemplateId === BLANK ? '/sections' : ''}`);
        },
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <Modal opened={opened} onClose={close} title="New assessment" size="xl">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert message={error} title="Couldn’t create the assessment" />
          {templates.isPending ? (
            <LoadingState label="Loading role templates" />
          ) : templates.isError ? (
            <LoadError
              error={templates.error}
              what="role templates"
              onRetry={() => void templates.refetch()}
            />
          ) : (
            <Radio.Group
              label="Start from"
              description="A role template fills in a knowledge quiz weighted for the role and suggests upload tasks. You can change everything afterwards."
              {...form.getInputProps('roleTemplateId')}
            >
              <ScrollArea.Autosize mah="50vh" mt="xs" type="auto" offsetScrollbars>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                  {templates.data.items.map((t) => (
                    <TemplateCard key={t.id} template={t} />
                  ))}
                  <Radio.Card value={BLANK} withBorder p="md" radius="md" h="100%">
                    <Group wrap="nowrap" align="flex-start" gap="sm">
                      <Radio.Indicator mt={2} />
                      <div>
                        <Text fw={600} size="sm">
                          Blank
                        </Text>
                        <Text size="xs" c="dimmed" mt={2}>
                          No sections yet: add quiz and upload sections yourself.
                        </Text>
                      </div>
                    </Group>
                  </Radio.Card>
                </SimpleGrid>
              </ScrollArea.Autosize>
            </Radio.Group>
          )}
          <TextInput
            label="Name"
            description={
              chosen
                ? `Leave empty to call it “${chosen.name}”.`
                : 'What candidates and your team see, such as “Back-End Engineer, spring hiring”.'
            }
            required={form.values.roleTemplateId === BLANK}
            maxLength={NAME_MAX}
            {...form.getInputProps('name')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create assessment
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
