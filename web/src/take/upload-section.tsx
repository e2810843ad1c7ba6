// A File Upload section: the task, what may be handed in, a drop zone (a real file input underneath,
// so it works from the keyboard and with a screen reader), upload progress and the files handed in.
import {
  Alert,
  Button,
  Card,
  Group,
  List,
  Progress,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { type CurrentUpload, take, type UploadedFile, uploadFile } from '../api/take';
import { Markdown } from '../components/markdown';
import { errorMessage } from '../lib/form-errors';
import { formatBytes } from './format-bytes';

type InFlight = { id: number; name: string; progress: number; abort: () => void };

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

function acceptedList(task: CurrentUpload): string {
  return task.accept.join(', ');
}

/** Refused before it leaves the device, with the same words the server would use. */
function checkFile(file: File, task: CurrentUpload): string | null {
  if (!task.accept.includes(extensionOf(file.name))) {
    return `“${file.name}” isn’t an accepted file type. Upload ${acceptedList(task)}.`;
  }
  if (file.size > task.maxSizeMb * 1024 * 1024) {
    return `“${file.name}” is ${formatBytes(file.size)}, more than the ${task.maxSizeMb} MB limit.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  return null;
}

function uploadError(err: unknown, file: File, task: CurrentUpload): string {
  if (err instanceof ApiError) {
    if (err.status === 413) return `“${file.name}” is larger than the ${task.maxSizeMb} MB limit.`;
    if (err.status === 415) {
      return `“${file.name}” isn’t an accepted file, or its contents don’t match its type. Upload ${acceptedList(task)}.`;
    }
    if (err.status === 0 && err.code === 'NETWORK') {
      return `“${file.name}” didn’t upload because the connection dropped. Try again when you’re back online.`;
    }
    if (err.code === 'ABORTED') return `The upload of “${file.name}” was cancelled.`;
    return `“${file.name}” didn’t upload: ${err.message}`;
  }
  return `“${file.name}” didn’t upload. Try again.`;
}

export function UploadSection({
  section,
  isLast,
  locked,
  onConflict,
  trackUpload,
  onSubmit,
}: {
  section: CurrentUpload;
  isLast: boolean;
  locked: boolean;
  onConflict: (err: ApiError) => void;
  /** Lets a submit wait for uploads that are still on their way. */
  trackUpload: (upload: Promise<unknown>) => void;
  onSubmit: (fileCount: number) => void;
}) {
  const task = section;
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<UploadedFile[]>(task.files);
  const [inFlight, setInFlight] = useState<InFlight[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const [replacing, setReplacing] = useState<UploadedFile | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  // Said once when an upload starts and once when it's in: the percentage would be read out endlessly.
  const [announcement, setAnnouncement] = useState('');
  const nextId = useRef(0);
  const replaceTarget = useRef<UploadedFile | null>(null);

  const room = task.maxFiles - files.length - inFlight.length;

  const handleConflict = (err: unknown) => {
    if (err instanceof ApiError && err.status === 409) onConflict(err);
  };

  const startUpload = (file: File, replaces: UploadedFile | null) => {
    const id = nextId.current++;
    const progress = (fraction: number) =>
      setInFlight((list) => list.map((u) => (u.id === id ? { ...u, progress: fraction } : u)));
    setInFlight((list) => [...list, { id, name: file.name, progress: 0, abort: () => undefined }]);
    setAnnouncement(`Uploading ${file.name}…`);
    // With room to spare the new file goes up first, so the old one is removed only once the new one
    // is safe; when the task is full, the server needs the room first.
    const full = replaces !== null && files.length >= task.maxFiles;
    const done = (async () => {
      if (replaces && full) {
        try {
          await take.deleteUpload(replaces.id);
          setFiles((list) => list.filter((f) => f.id !== replaces.id));
        } catch (err) {
          handleConflict(err);
          setErrors((list) => [...list, `“${replaces.name}” couldn’t be replaced: ${errorMessage(err)}`]);
          return;
        }
      }
      const handle = uploadFile(section.key, file, progress);
      setInFlight((list) => list.map((u) => (u.id === id ? { ...u, abort: handle.abort } : u)));
      try {
        const uploaded = await handle.promise;
        setFiles((list) => [...list.filter((f) => f.id !== uploaded.id), uploaded]);
        setAnnouncement(`${file.name} is uploaded.`);
      } catch (err) {
        handleConflict(err);
        const removed = replaces && full ? ` “${replaces.name}” was removed, so upload a file again.` : '';
        setErrors((list) => [...list, `${uploadError(err, file, task)}${removed}`]);
        return;
      }
      if (replaces && !full) {
        try {
          await take.deleteUpload(replaces.id);
          setFiles((list) => list.filter((f) => f.id !== replaces.id));
        } catch (err) {
          setErrors((list) => [...list, `“${replaces.name}” couldn’t be removed: ${errorMessage(err)}`]);
        }
      }
    })().finally(() => setInFlight((list) => list.filter((u) => u.id !== id)));
    trackUpload(done);
  };

  const addFiles = (picked: File[]) => {
    if (locked || picked.length === 0) return;
    const problems: string[] = [];
    const replaces = replaceTarget.current;
    replaceTarget.current = null;
    setReplacing(null);
    let slots = replaces ? 1 : room;
    for (const file of picked) {
      const problem = checkFile(file, task);
      if (problem) problems.push(problem);
      else if (slots <= 0) {
        problems.push(
          `“${file.name}” wasn’t uploaded: this task takes at most ${task.maxFiles} ${task.maxFiles === 1 ? 'file' : 'files'}. Remove or replace one first.`,
        );
      } else {
        slots--;
        startUpload(file, replaces);
      }
    }
    setErrors(problems);
  };

  const remove = async (file: UploadedFile) => {
    setRemoving(file.id);
    try {
      await take.deleteUpload(file.id);
      setFiles((list) => list.filter((f) => f.id !== file.id));
      setErrors([]);
    } catch (err) {
      handleConflict(err);
      setErrors([`“${file.name}” couldn’t be removed: ${errorMessage(err)}`]);
    } finally {
      setRemoving(null);
    }
  };

  const pickReplacement = (file: UploadedFile) => {
    replaceTarget.current = file;
    setReplacing(file);
    input.current?.click();
  };

  const cancelReplace = () => {
    replaceTarget.current = null;
    setReplacing(null);
  };

  // Closing the file picker without choosing leaves nothing to replace.
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.addEventListener('cancel', cancelReplace);
    return () => el.removeEventListener('cancel', cancelReplace);
  });

  const showZone = room > 0 || replacing !== null;

  return (
    <Stack gap="md">
      <Card withBorder padding="lg" component="section" aria-labelledby="task-heading">
        <Stack gap="sm">
          <Title order={2} size="h4" id="task-heading">
            Your task
          </Title>
          <Markdown className="take-markdown" headingOffset={1}>
            {task.prompt}
          </Markdown>
        </Stack>
      </Card>

      <Card withBorder padding="lg" component="section" aria-labelledby="hand-in-heading">
        <Stack gap="md">
          <div>
            <Title order={2} size="h4" id="hand-in-heading">
              Hand in your work
            </Title>
            <List size="sm" mt="xs" spacing={2} id={`${inputId}-rules`}>
              <List.Item>Accepted file types: {acceptedList(task)}</List.Item>
              <List.Item>Up to {task.maxSizeMb} MB per file</List.Item>
              <List.Item>
                {task.maxFiles === 1 ? 'One file' : `Up to ${task.maxFiles} files`}; you can remove or replace
                files until you submit
              </List.Item>
            </List>
          </div>

          {/* The input stays in the page (hidden) so Replace can open it even when the zone is full. */}
          {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; the file input inside is the way in for keyboards and screen readers */}
          <div
            className="take-dropzone"
            data-dragging={dragging || undefined}
            hidden={!showZone || locked}
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(event) => {
              event.preventDefault();
              setDragging(false);
              addFiles(Array.from(event.dataTransfer.files));
            }}
          >
            <VisuallyHidden>
              <input
                ref={input}
                id={inputId}
                type="file"
                accept={task.accept.join(',')}
                multiple={task.maxFiles > 1 && !replacing}
                aria-describedby={`${inputId}-rules`}
                disabled={locked}
                onChange={(event) => {
                  addFiles(Array.from(event.currentTarget.files ?? []));
                  event.currentTarget.value = '';
                }}
              />
            </VisuallyHidden>
            <Stack gap="xs" align="center">
              <Text fw={600}>
                {replacing ? `Choose a file to replace “${replacing.name}”` : 'Drag your file here'}
              </Text>
              <Text size="sm" c="dimmed">
                or
              </Text>
              <Group gap="xs" justify="center">
                <Button component="label" htmlFor={inputId} variant="light">
                  Choose {task.maxFiles > 1 && !replacing ? 'files' : 'a file'}
                </Button>
                {replacing && (
                  <Button variant="subtle" onClick={cancelReplace}>
                    Keep “{replacing.name}”
                  </Button>
                )}
              </Group>
            </Stack>
          </div>

          <Stack gap={0}>
            <VisuallyHidden aria-live="polite" aria-atomic="true">
              {announcement}
            </VisuallyHidden>
            <div>
              {inFlight.map((u) => (
                <Stack key={u.id} gap={4} mb="xs">
                  <Group justify="space-between" gap="xs" wrap="nowrap">
                    <Text size="sm" truncate aria-hidden>
                      Uploading {u.name}… {Math.round(u.progress * 100)}%
                    </Text>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color="red"
                      onClick={u.abort}
                      aria-label={`Cancel the upload of ${u.name}`}
                    >
                      Cancel
                    </Button>
                  </Group>
                  <Progress value={u.progress * 100} aria-label={`Uploading ${u.name}`} size="md" />
                </Stack>
              ))}
            </div>

            <div aria-live="assertive" aria-atomic="true">
              {errors.length > 0 && (
                <Alert color="red" title="Not uploaded" role="presentation">
                  <Stack gap={4}>
                    {errors.map((e) => (
                      <Text size="sm" key={e}>
                        {e}
                      </Text>
                    ))}
                  </Stack>
                </Alert>
              )}
            </div>
          </Stack>
          <div>
            <Text size="sm" fw={600} id="files-heading" mb={4}>
              Your files
            </Text>
            {files.length === 0 ? (
              <Text size="sm" c="dimmed">
                Nothing uploaded yet.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={300}>
                <Table aria-labelledby="files-heading" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">File</Table.Th>
                      <Table.Th scope="col">Size</Table.Th>
                      <Table.Th scope="col">
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {files.map((f) => (
                      <Table.Tr key={f.id}>
                        <Table.Td style={{ overflowWrap: 'anywhere' }}>{f.name}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatBytes(f.size)}</Table.Td>
                        <Table.Td>
                          <Group gap={6} justify="flex-end" wrap="nowrap">
                            <Button
                              size="compact-sm"
                              variant="default"
                              disabled={locked}
                              aria-label={`Replace ${f.name}`}
                              onClick={() => pickReplacement(f)}
                            >
                              Replace
                            </Button>
                            <Button
                              size="compact-sm"
                              variant="default"
                              color="red"
                              disabled={locked}
                              loading={removing === f.id}
                              aria-label={`Remove ${f.name}`}
                              onClick={() => void remove(f)}
                            >
                              Remove
                            </Button>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </div>
        </Stack>
      </Card>

      <Group justify="flex-end">
        <Button onClick={() => onSubmit(files.length)} disabled={locked || inFlight.length > 0}>
          {isLast ? 'Submit test' : 'Submit section'}
        </Button>
      </Group>
    </Stack>
  );
}
