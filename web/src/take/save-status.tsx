import { Group, Text, VisuallyHidden } from '@mantine/core';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { type AnswerQueue, type SaveStatus, saveStatusText } from './autosave';

const dotColor: Record<SaveStatus, string> = {
  idle: 'var(--mantine-color-assay-7)',
  saved: 'var(--mantine-color-assay-7)',
  saving: 'var(--mantine-color-gray-6)',
  offline: 'var(--mantine-color-orange-7)',
  retrying: 'var(--mantine-color-orange-7)',
  blocked: 'var(--mantine-color-red-7)',
};

/**
 * "Saving…", "Saved", "Offline — …". The text changes with every answer, so it isn't a live region
 * itself; only losing and regaining the connection is announced.
 */
export function SaveStatusIndicator({ queue }: { queue: AnswerQueue }) {
  const status = useSyncExternalStore(queue.subscribe, queue.getStatus);
  const [announcement, setAnnouncement] = useState('');
  const wasOffline = useRef(false);

  useEffect(() => {
    if (status === 'offline' || status === 'retrying') {
      if (!wasOffline.current) setAnnouncement(saveStatusText(status));
      wasOffline.current = true;
    } else if (status === 'saved' && wasOffline.current) {
      wasOffline.current = false;
      setAnnouncement('Back online. Your answers are saved.');
    }
  }, [status]);

  return (
    <>
      <Group gap={6} wrap="nowrap" data-testid="save-status" data-status={status}>
        <span
          aria-hidden
          style={{ width: 8, height: 8, borderRadius: 4, background: dotColor[status], flex: 'none' }}
        />
        <Text size="sm" c={status === 'offline' || status === 'retrying' ? '#a63c06' : 'dimmed'} fw={500}>
          {saveStatusText(status)}
        </Text>
      </Group>
      <VisuallyHidden aria-live="polite" aria-atomic="true">
        {announcement}
      </VisuallyHidden>
    </>
  );
}
