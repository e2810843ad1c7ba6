import { Alert, Button, Center, Group, Stack, Text } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Shown when a page fails to render or to load, typically after an upgrade replaced its files. */
export function RouteError() {
  useDocumentTitle('Something went wrong · Assay');
  return (
    <Center mih="100vh" p="md" component="main">
      <Stack maw={480}>
        <Alert color="red" title="Something went wrong">
          <Text size="sm">
            This page couldn’t be shown. If Assay was just updated, reloading fetches the new version.
          </Text>
        </Alert>
        <Group>
          <Button onClick={() => window.location.reload()}>Reload</Button>
          <Button variant="default" component="a" href="/assessments">
            Go to assessments
          </Button>
        </Group>
      </Stack>
    </Center>
  );
}
