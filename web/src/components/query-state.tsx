import { Alert, Button, Center, Group, Loader, Text } from '@mantine/core';
import { errorMessage } from '../lib/form-errors';

export function LoadingState({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl" role="status">
      <Loader size="md" aria-hidden />
      <Text ml="sm" c="dimmed">
        {label}…
      </Text>
    </Center>
  );
}

export function LoadError({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  return (
    <Alert color="red" title={`Couldn’t load ${what}`}>
      <Text size="sm">{errorMessage(error)}</Text>
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      )}
    </Alert>
  );
}
