import { Alert, Button, CopyButton, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  type Assessment,
  type PublicLink,
  useDisablePublicLink,
  useEnablePublicLink,
} from '../../api/assessments';
import { errorMessage } from '../../lib/form-errors';

// The server keeps only a hash of the link's token, so its URL exists only in the reply that made it.
// It is kept in the query cache for the rest of the visit, so the settings tab and the invite dialog
// both show it, and it is gone after a reload.
const revealedKey = (assessmentId: string) => ['assessments', 'public-link-url', assessmentId] as const;

function useRevealedLink(assessmentId: string) {
  return useQuery({
    queryKey: revealedKey(assessmentId),
    queryFn: () => null as PublicLink | null,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
}

/** Enable, show and copy, replace, or disable an assessment's public self-registration link. */
export function PublicLinkPanel({ assessment }: { assessment: Assessment }) {
  const queryClient = useQueryClient();
  const enable = useEnablePublicLink(assessment.id);
  const disable = useDisablePublicLink(assessment.id);
  const revealed = useRevealedLink(assessment.id).data ?? null;
  const [cap, setCap] = useState<number | ''>(assessment.settings.publicLink.cap ?? '');
  const [confirmReplace, replaceDialog] = useDisclosure(false);
  const [confirmDisable, disableDialog] = useDisclosure(false);
  const active = assessment.publicLinkActive;
  const archived = assessment.state === 'archived';
  const currentCap = assessment.settings.publicLink.cap;

  const createLink = (after?: () => void) =>
    enable.mutate(
      { cap: cap === '' ? null : cap },
      {
        onSuccess: (link) => {
          queryClient.setQueryData(revealedKey(assessment.id), link);
          notifications.show({
            message: active ? 'The public link was replaced.' : 'The public link is on.',
          });
          after?.();
        },
        onError: (err) =>
          notifications.show({ color: 'red', title: 'Couldn’t create the link', message: errorMessage(err) }),
      },
    );

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Anyone with the public link can register with their name and email. After they confirm their email,
        they get a personal invitation like everyone else. Share it on a job ad or a careers page.
      </Text>
      {assessment.state !== 'open' && !archived && (
        <Text size="sm" c="dimmed">
          The link accepts registrations only while the assessment is open.
        </Text>
      )}
      <NumberInput
        label="Most candidates through the link"
        description="Leave empty for no limit"
        min={1}
        max={100_000}
        allowDecimal={false}
        allowNegative={false}
        value={cap}
        onChange={(v) => setCap(typeof v === 'number' ? v : v === '' ? '' : Number(v))}
        disabled={archived}
        w={300}
      />
      {active && revealed && (
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            label="Public link"
            value={revealed.url}
            readOnly
            onFocus={(e) => e.currentTarget.select()}
            style={{ flex: 1 }}
          />
          <CopyButton value={revealed.url}>
            {({ copied, copy }) => (
              <Button variant={copied ? 'light' : 'filled'} onClick={copy}>
                {copied ? 'Copied' : 'Copy link'}
              </Button>
            )}
          </CopyButton>
        </Group>
      )}
      {active && revealed && (
        <Text size="xs" c="dimmed">
          Copy it now: only a fingerprint of the link is stored, so it can’t be shown again after you leave
          this page. Replace it to get a new one.
        </Text>
      )}
      {active && !revealed && (
        <Alert color="blue" title="The public link is on">
          {currentCap !== null ? `It accepts up to ${currentCap.toLocaleString()} candidates. ` : ''}
          Its address was shown once, when it was created: only a fingerprint is stored. To get an address to
          share, replace the link. The old address stops working.
        </Alert>
      )}
      {!archived && (
        <Group gap="xs">
          {!active ? (
            <Button onClick={() => createLink()} loading={enable.isPending}>
              Enable public link
            </Button>
          ) : (
            <>
              <Button variant="default" onClick={replaceDialog.open}>
                {cap !== (currentCap ?? '') ? 'Replace link with the new limit' : 'Replace link'}
              </Button>
              <Button variant="default" color="red" onClick={disableDialog.open}>
                Disable public link
              </Button>
            </>
          )}
        </Group>
      )}

      <Modal opened={confirmReplace} onClose={replaceDialog.close} title="Replace the public link">
        <Stack gap="md">
          <Text size="sm">
            The current address stops working at once. Anyone who registered already keeps their invitation.
            Update the places where you shared the old one.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={replaceDialog.close} data-autofocus>
              Cancel
            </Button>
            <Button loading={enable.isPending} onClick={() => createLink(replaceDialog.close)}>
              Replace link
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={confirmDisable} onClose={disableDialog.close} title="Disable the public link">
        <Stack gap="md">
          <Text size="sm">
            The address stops working, and nobody new can register through it. Invitations already made are
            kept.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={disableDialog.close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={disable.isPending}
              onClick={() =>
                disable.mutate(undefined, {
                  onSuccess: () => {
                    queryClient.setQueryData(revealedKey(assessment.id), null);
                    notifications.show({ message: 'The public link is off.' });
                    disableDialog.close();
                  },
                  onError: (err) =>
                    notifications.show({
                      color: 'red',
                      title: 'Couldn’t disable the link',
                      message: errorMessage(err),
                    }),
                })
              }
            >
              Disable link
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
