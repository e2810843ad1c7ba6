// Demo data: a Back-End Engineer assessment with about sixty simulated candidates in every status,
// to try the pipeline, reports and reviews before inviting anyone real. Owners and admins only.
import { Badge, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useNavigate } from 'react-router';
import { useCreateDemo, useDemoState, useRemoveDemo } from '../../api/results';
import { errorMessage } from '../../lib/form-errors';

export function DemoBadge() {
  return (
    <Badge variant="outline" color="gray" size="sm">
      Demo
    </Badge>
  );
}

/** "Load demo data", then a link to the demo assessment. */
export function LoadDemoButton({ variant = 'default' }: { variant?: 'default' | 'filled' | 'light' }) {
  const create = useCreateDemo();
  const navigate = useNavigate();
  return (
    <Button
      variant={variant}
      loading={create.isPending}
      onClick={() =>
        create.mutate(undefined, {
          onSuccess: (r) => {
            notifications.show({
              message: r.created
                ? `Demo data loaded: ${r.candidates} simulated candidates. Everything is marked Demo.`
                : 'Demo data is already loaded.',
            });
            navigate(`/assessments/${r.assessmentId}/candidates`);
          },
          onError: (err) =>
            notifications.show({
              color: 'red',
              title: 'Couldn’t load demo data',
              message: errorMessage(err),
            }),
        })
      }
    >
      Load demo data
    </Button>
  );
}

/** The Organization settings panel: load the demo, or remove all of it in one action. */
export function DemoDataPanel() {
  const state = useDemoState();
  const remove = useRemoveDemo();
  const [confirmOpened, confirm] = useDisclosure(false);
  const present = state.data?.present ?? false;
  return (
    <Stack gap="sm">
      <Text size="sm">
        A Back-End Engineer assessment with about sixty simulated candidates in every status — scores, uploads
        waiting for review, stages and item statistics — to try Assay before inviting anyone. Demo rows are
        marked Demo, never send email or webhooks, and never count in real statistics.
      </Text>
      {state.isError ? (
        <Text size="sm" c="red.8">
          {errorMessage(state.error)}
        </Text>
      ) : present ? (
        <Group gap="sm">
          <Text size="sm">Demo data is loaded ({state.data?.candidates ?? 0} candidates).</Text>
          <Button variant="default" color="red" onClick={confirm.open}>
            Remove demo data
          </Button>
        </Group>
      ) : (
        <Group>
          <LoadDemoButton />
        </Group>
      )}
      <Modal opened={confirmOpened} onClose={confirm.close} title="Remove all demo data?">
        <Stack gap="md">
          <Text size="sm">
            The demo assessment, its simulated candidates, their attempts, reviews and notes are deleted. Your
            own assessments and candidates aren’t touched.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={confirm.close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(undefined, {
                  onSuccess: (r) => {
                    notifications.show({
                      message: `Demo data removed: ${r.removed.candidates} candidates and ${r.removed.assessments} ${r.removed.assessments === 1 ? 'assessment' : 'assessments'}.`,
                    });
                    confirm.close();
                  },
                  onError: (err) =>
                    notifications.show({
                      color: 'red',
                      title: 'Couldn’t remove demo data',
                      message: errorMessage(err),
                    }),
                })
              }
            >
              Remove demo data
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
