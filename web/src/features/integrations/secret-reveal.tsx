import { Alert, Button, CopyButton, Group, Stack, Text, TextInput, VisuallyHidden } from '@mantine/core';

/** A secret the server shows once (an API key, a webhook signing secret), with a copy button. */
export function SecretReveal({ label, secret, what }: { label: string; secret: string; what: string }) {
  return (
    <Stack gap="sm">
      <Alert color="yellow" title="Copy it now">
        This is the only time Assay shows the {what}. Store it somewhere safe, such as your secrets manager.
        If it’s lost, you’ll need to make a new one.
      </Alert>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput
          label={label}
          value={secret}
          readOnly
          spellCheck={false}
          ff="monospace"
          style={{ flex: 1 }}
          onFocus={(event) => event.currentTarget.select()}
          data-autofocus
        />
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <>
              <Button variant={copied ? 'light' : 'filled'} onClick={copy} w={100}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
              <VisuallyHidden aria-live="polite">
                {copied ? `${label} copied to the clipboard` : ''}
              </VisuallyHidden>
            </>
          )}
        </CopyButton>
      </Group>
      <Text size="xs" c="dimmed">
        Anyone with the {what} can use it, so don’t paste it into chats or tickets.
      </Text>
    </Stack>
  );
}
