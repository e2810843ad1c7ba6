import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { errorMessage } from '../lib/form-errors';

export function FullPageLoader() {
  return (
    <Center mih="100vh" role="status">
      <Loader aria-hidden />
      <Text ml="sm" c="dimmed">
        Loading…
      </Text>
    </Center>
  );
}

export function FullPageError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <Center mih="100vh" p="md">
      <Stack maw={440}>
        <Alert color="red" title="Assay is unavailable">
          <Text size="sm">{errorMessage(error)}</Text>
        </Alert>
        <Button onClick={onRetry}>Try again</Button>
      </Stack>
    </Center>
  );
}
